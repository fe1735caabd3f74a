/**
 * The seams of the code base, checked by `npm run lint` (and so by `npm test` and CI).
 * - core is the framework every module stands on: it never imports a module;
 * - a module reaches another only through that module's `index.ts` (its public entry), except
 *   entity classes (`*.entity.ts`), which an ORM relation must name directly;
 * - no import cycles.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make the order of module loading matter and hide layering mistakes.',
      from: {},
      // Type-only imports count too: none is needed (entities that name each other share a file).
      to: { circular: true },
    },
    {
      name: 'no-core-to-modules',
      severity: 'error',
      comment: 'Core knows no module: modules plug into core (e.g. by augmenting the Loaders interface), not the reverse.',
      from: { path: '^src/core/' },
      to: { path: '^src/modules/' },
    },
    {
      name: 'no-deep-cross-module-import',
      severity: 'error',
      comment: 'Reach another module only through its index.ts; entity classes may be imported directly for ORM relations.',
      from: { path: '^src/modules/([^/]+)/' },
      to: {
        path: '^src/modules/([^/]+)/.+',
        pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$', '\\.entity\\.ts$'],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
