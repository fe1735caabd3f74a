process.env.TEST_DATABASE_URL = process.env.TEST_EMBEDDED_URL;
process.env.TEST_DATABASE_KIND = 'embedded';
