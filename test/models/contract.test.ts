import { LogisticRegression } from '../../src/models/logistic.js';
import { Scorecard } from '../../src/models/scorecard.js';
import { creditSample } from '../binning/fixture.js';
import { estimatorContract } from './contract.js';

const data = () => creditSample(1500, 99);

estimatorContract({
  name: 'Scorecard',
  kind: 'scorecard',
  create: (o) => new Scorecard(o),
  fromArtifact: (a) => Scorecard.fromArtifact(a),
  data,
  badOptions: [
    { options: { pdo: 0 }, code: 'E_OPTIONS_INVALID', mentions: 'pdo' },
    { options: { baseOdds: -1 }, code: 'E_OPTIONS_INVALID', mentions: 'baseOdds' },
    { options: { maxBins: 1 }, code: 'E_OPTIONS_INVALID', mentions: 'maxBins' },
    { options: { minBinShare: 0.9 }, code: 'E_OPTIONS_INVALID', mentions: 'minBinShare' },
    { options: { trend: 'sideways' }, code: 'E_OPTIONS_INVALID', mentions: 'trend' },
    { options: { pdoo: 20 }, code: 'E_OPTIONS_INVALID', mentions: 'pdoo' },
    { options: { minIv: 5 }, code: 'E_DATA_INVALID', mentions: 'minIv' },
  ],
});

estimatorContract({
  name: 'LogisticRegression',
  kind: 'logistic',
  create: (o) => new LogisticRegression(o),
  fromArtifact: (a) => LogisticRegression.fromArtifact(a),
  data,
  badOptions: [
    { options: { l2: -1 }, code: 'E_OPTIONS_INVALID', mentions: 'l2' },
    { options: { maxIter: 0 }, code: 'E_OPTIONS_INVALID', mentions: 'maxIter' },
    { options: { C: 1 }, code: 'E_OPTIONS_INVALID', mentions: 'C' },
  ],
});
