import { ConfigReader } from '@backstage/config';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { createPublishTargetAction } from './publishTarget';

const actionWith = (publish: object | undefined) =>
  createPublishTargetAction({
    config: new ConfigReader(
      publish ? { mlPlatform: { scaffolder: { publish } } } : {},
    ),
  });

async function run(publish: object | undefined, name = 'fraud-scorer') {
  const ctx = createMockActionContext({ input: { name } });
  await actionWith(publish).handler(ctx as any);
  return Object.fromEntries((ctx.output as jest.Mock).mock.calls);
}

describe('ml-platform:publish:target', () => {
  it('gives publish:github its repoUrl on github.com by default', async () => {
    expect(await run({ provider: 'github', owner: 'acme' })).toEqual({
      provider: 'github',
      repoUrl: 'github.com?owner=acme&repo=fraud-scorer',
    });
  });

  it('gives publish:gitlab its repoUrl on the configured host', async () => {
    expect(
      await run({
        provider: 'gitlab',
        host: 'gitlab.example.com',
        owner: 'ml/serving',
      }),
    ).toEqual({
      provider: 'gitlab',
      repoUrl: 'gitlab.example.com?owner=ml%2Fserving&repo=fraud-scorer',
    });
  });

  it('tells the template to publish locally, without a repoUrl', async () => {
    expect(
      await run({ provider: 'local', directory: '.local/scaffolded' }),
    ).toEqual({ provider: 'local' });
  });

  it.each([
    [undefined, /mlPlatform.scaffolder.publish.provider is not configured/],
    [
      { provider: 'bitbucket' },
      /'bitbucket' is not one of github, gitlab, local/,
    ],
    [{ provider: 'github' }, /owner is needed for provider github/],
    [{ provider: 'local' }, /directory is needed for provider local/],
  ])('refuses the config %j with what to set', async (publish, message) => {
    await expect(run(publish)).rejects.toThrow(message);
  });

  it('refuses a name no SCM takes as a repository name', async () => {
    await expect(
      run({ provider: 'github', owner: 'acme' }, 'fraud scorer'),
    ).rejects.toThrow(/'fraud scorer' cannot be a repository name/);
  });
});
