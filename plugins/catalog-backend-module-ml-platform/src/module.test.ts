import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  catalogLocationsExtensionPoint,
  catalogProcessingExtensionPoint,
} from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { catalogModuleMlPlatform } from './module';
import { RegisteredModelAnnotationProcessor } from './processor/RegisteredModelAnnotationProcessor';
import { MlModelEntityProvider } from './provider/MlModelEntityProvider';

async function startModule(data: object) {
  const setAllowedLocationTypes = jest.fn();
  await startTestBackend({
    extensionPoints: [
      [
        catalogProcessingExtensionPoint,
        {
          addProcessor: jest.fn(),
          addEntityProvider: jest.fn(),
          addPlaceholderResolver: jest.fn(),
          setOnProcessingErrorHandler: jest.fn(),
        },
      ],
      [catalogLocationsExtensionPoint, { setAllowedLocationTypes }],
    ],
    features: [
      catalogModuleMlPlatform,
      catalogServiceMock.factory(),
      mockServices.rootConfig.factory({ data }),
    ],
  });
  return setAllowedLocationTypes;
}

describe('catalogModuleMlPlatform', () => {
  it('registers the annotation processor and the model entity provider', async () => {
    const addProcessor = jest.fn();
    const addEntityProvider = jest.fn();
    const createScheduledTaskRunner = jest
      .fn()
      .mockReturnValue({ run: jest.fn() });

    await startTestBackend({
      extensionPoints: [
        [
          catalogLocationsExtensionPoint,
          { setAllowedLocationTypes: jest.fn() },
        ],
        [
          catalogProcessingExtensionPoint,
          {
            addProcessor,
            addEntityProvider,
            addPlaceholderResolver: jest.fn(),
            setOnProcessingErrorHandler: jest.fn(),
          },
        ],
      ],
      features: [
        catalogModuleMlPlatform,
        catalogServiceMock.factory(),
        mockServices.scheduler.mock({ createScheduledTaskRunner }).factory,
        mockServices.rootConfig.factory({
          data: {
            catalog: {
              providers: {
                mlPlatform: {
                  schedule: { frequency: 'PT10M', timeout: 'PT1M' },
                },
              },
            },
          },
        }),
      ],
    });

    expect(addProcessor).toHaveBeenCalledWith(
      expect.any(RegisteredModelAnnotationProcessor),
    );
    expect(addEntityProvider).toHaveBeenCalledWith(
      expect.any(MlModelEntityProvider),
    );
    expect(createScheduledTaskRunner).toHaveBeenCalledWith({
      frequency: { minutes: 10 },
      timeout: { minutes: 1 },
    });
  });

  it('lets users register file locations when the scaffolder publishes locally', async () => {
    const setAllowedLocationTypes = await startModule({
      mlPlatform: {
        scaffolder: { publish: { provider: 'local', directory: '/tmp/x' } },
      },
    });
    expect(setAllowedLocationTypes).toHaveBeenCalledWith(['url', 'file']);
  });

  it.each([
    ['publishes to github', { provider: 'github', owner: 'acme' }],
    ['has no publish config', undefined],
  ])(
    'keeps the default location types when the scaffolder %s',
    async (_, publish) => {
      const setAllowedLocationTypes = await startModule(
        publish ? { mlPlatform: { scaffolder: { publish } } } : {},
      );
      expect(setAllowedLocationTypes).not.toHaveBeenCalled();
    },
  );
});
