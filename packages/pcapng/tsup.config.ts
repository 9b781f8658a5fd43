import { packageBuild } from '../../tsup.shared';

export default packageBuild({ index: 'src/index.ts', sync: 'src/sync.ts', scap: 'src/scap/index.ts' });
