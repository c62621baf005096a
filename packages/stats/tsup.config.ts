import { halyardBuild } from '../../tsup.shared.ts';

// One output module per public function file (index.js only re-exports them): stdlib ships CommonJS without a
// `sideEffects` flag, so an app's bundler can drop, say, the Beta functions only by dropping our whole module that
// imports them — which `"sideEffects": false` allows when nothing from that module is used. A single bundled
// index.js would pull every distribution into an app that only calls sampleSize().
export default halyardBuild({
  index: 'src/index.ts',
  'proportion-test': 'src/proportion-test.ts',
  'mean-test': 'src/mean-test.ts',
  sequential: 'src/sequential.ts',
  'bayes-proportions': 'src/bayes-proportions.ts',
  'bayes-means': 'src/bayes-means.ts',
  srm: 'src/srm.ts',
  'multiple-comparisons': 'src/multiple-comparisons.ts',
  cuped: 'src/cuped.ts',
  'sample-size': 'src/sample-size.ts',
});
