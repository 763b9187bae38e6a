import { ModelVersion } from '@mlplatform/plugin-ml-platform-common';
import { FirstServing, firstServingKey } from '../LeadTime';
import { attachLeadTimes, medianLeadTime } from './attachLeadTimes';

const version = (v: string, createdAt?: string): ModelVersion => ({
  registryId: 'mlflow',
  name: 'fraud-detector',
  version: v,
  status: 'READY',
  aliases: [],
  tags: {},
  createdAt,
  links: { registry: '' },
});

/** A first sighting; `registryId: null` is a deployment that named none. */
const seen = (
  v: string,
  at: string,
  registryId: string | null = 'mlflow',
): [string, FirstServing] => {
  const first: FirstServing = {
    registryId: registryId ?? undefined,
    model: 'fraud-detector',
    version: v,
    at: new Date(at),
    cluster: 'prod',
    namespace: 'ml-prod',
  };
  return [firstServingKey(first), first];
};

describe('attachLeadTimes', () => {
  it('measures from registration to the first moment a version served traffic', () => {
    const [v1, v2] = attachLeadTimes(
      [
        version('1', '2026-10-01T10:00:00Z'),
        version('2', '2026-10-02T10:00:00Z'),
      ],
      new Map([seen('1', '2026-10-01T12:30:00Z')]),
    );
    expect(v1).toMatchObject({
      firstServingAt: '2026-10-01T12:30:00.000Z',
      firstServingLocation: { cluster: 'prod', namespace: 'ml-prod' },
      leadTimeSeconds: 9000,
    });
    expect(v2.firstServingAt).toBeUndefined();
    expect(v2.leadTimeSeconds).toBeUndefined();
  });

  it("counts a deployment that names no registry for the default registry's version only", () => {
    const unnamed = new Map([seen('1', '2026-10-01T10:01:00Z', null)]);
    const versions = [version('1', '2026-10-01T10:00:00Z')];
    const registry = versions[0].registryId;
    expect(
      attachLeadTimes(versions, unnamed, registry)[0].leadTimeSeconds,
    ).toBe(60);
    expect(
      attachLeadTimes(versions, unnamed, `not-${registry}`)[0].leadTimeSeconds,
    ).toBeUndefined();
  });

  it('knows when a version first served but not how long it took without a registration time', () => {
    const [v1] = attachLeadTimes(
      [version('1')],
      new Map([seen('1', '2026-10-01T10:01:00Z')]),
    );
    expect(v1.firstServingAt).toBe('2026-10-01T10:01:00.000Z');
    expect(v1.leadTimeSeconds).toBeUndefined();
  });
});

describe('medianLeadTime', () => {
  const withLeadTime = (v: string, leadTimeSeconds?: number) => ({
    ...version(v),
    leadTimeSeconds,
  });

  it('takes the middle of an odd number of measured versions, ignoring unserved ones', () => {
    expect(
      medianLeadTime([
        withLeadTime('1', 300),
        withLeadTime('2', 60),
        withLeadTime('3'),
        withLeadTime('4', 7200),
      ]),
    ).toEqual({ medianSeconds: 300, measuredVersions: 3 });
  });

  it('averages the two middle values of an even number', () => {
    expect(
      medianLeadTime([withLeadTime('1', 100), withLeadTime('2', 200)]),
    ).toEqual({ medianSeconds: 150, measuredVersions: 2 });
  });

  it('has no median when no version has served traffic', () => {
    expect(medianLeadTime([withLeadTime('1')])).toBeUndefined();
  });
});
