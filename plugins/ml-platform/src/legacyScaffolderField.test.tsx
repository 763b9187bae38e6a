import { screen } from '@testing-library/react';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import {
  ScaffolderFieldExtensions,
  useCustomFieldExtensions,
} from '@backstage/plugin-scaffolder-react';
import { Stepper } from '@backstage/plugin-scaffolder-react/alpha';
import { registryApi } from './components/MlflowModelVersionPicker/__fixtures__/registry';
import {
  MlflowModelVersionPickerFieldExtension,
  mlPlatformApiRef,
} from './legacy';

// A legacy app lists its form fields under the scaffolder's route, and the
// scaffolder collects them from there, as this probe does.
const fieldsOfTheRoute = (
  <ScaffolderFieldExtensions>
    <MlflowModelVersionPickerFieldExtension />
  </ScaffolderFieldExtensions>
);

const TemplateForm = () => {
  const extensions = useCustomFieldExtensions(fieldsOfTheRoute);
  return (
    <Stepper
      manifest={{
        title: 'ML model service',
        steps: [
          {
            title: 'Model',
            schema: {
              type: 'object',
              properties: {
                modelVersion: {
                  type: 'object',
                  'ui:field': 'MlflowModelVersionPicker',
                },
              },
            },
          },
        ],
      }}
      extensions={extensions}
      onCreate={async () => {}}
    />
  );
};

describe('MlflowModelVersionPickerFieldExtension', () => {
  it('gives a legacy app’s scaffolder the MlflowModelVersionPicker field', async () => {
    await renderInTestApp(
      <TestApiProvider apis={[[mlPlatformApiRef, registryApi().api]]}>
        <TemplateForm />
      </TestApiProvider>,
    );
    expect(
      await screen.findByRole('radio', { name: /fraud-detector/ }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('textbox', { name: 'Search models' }),
    ).toBeInTheDocument();
  });
});
