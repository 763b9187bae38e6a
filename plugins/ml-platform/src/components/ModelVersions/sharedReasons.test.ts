import { ModelVersion } from '@mlplatform/plugin-ml-platform-common';
import { sharedReasons } from './sharedReasons';

const version = (v: string, reason?: string): ModelVersion => ({
  registryId: 'mlflow',
  name: 'm',
  version: v,
  status: 'READY',
  aliases: [],
  tags: {},
  links: { registry: `http://mlflow.test/#/models/m/versions/${v}` },
  ...(reason && {
    safety: {
      safety: 'unsafe',
      reason,
      flavors: [],
      source: 'bytes',
      files: [],
    },
  }),
});

describe('sharedReasons', () => {
  it('numbers each reason several versions give, in table order, and leaves out the ones only one gives', () => {
    expect(
      sharedReasons([
        version('5', 'own reason'),
        version('4', 'pickle'),
        version('3', 'cloudpickle'),
        version('2', 'pickle'),
        version('1', 'cloudpickle'),
        version('0'),
      ]),
    ).toEqual([
      { note: 1, reason: 'pickle', versions: ['4', '2'] },
      { note: 2, reason: 'cloudpickle', versions: ['3', '1'] },
    ]);
  });
});
