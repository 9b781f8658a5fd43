import { packageBuild } from '../../tsup.shared';

// `shims` gives the CommonJS build an `import.meta.url`, which `src/version.ts` uses to find package.json.
// The shebang at the top of `src/cli.ts` is kept by tsup, which also makes `dist/cli.js` executable.
export default packageBuild({ index: 'src/index.ts', cli: 'src/cli.ts' }, { shims: true });
