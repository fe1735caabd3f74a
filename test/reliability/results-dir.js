// Where reliability tests leave their figures for the results reporter (shared by both sides).
const { join } = require('node:path');
const { tmpdir } = require('node:os');

module.exports = { RESULTS_DIR: join(tmpdir(), 'commerce-reliability-figures') };
