import { createExtensionTester } from '@backstage/frontend-test-utils';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import { mlflowModelVersionPickerField } from './components/MlflowModelVersionPicker';
import mlPlatformScaffolderModule, {
  mlflowModelVersionPickerFormField,
} from './alpha';

describe('the scaffolder module', () => {
  it('extends the scaffolder plugin, which owns the form fields', () => {
    expect(mlPlatformScaffolderModule.pluginId).toBe('scaffolder');
  });

  it('loads the MlflowModelVersionPicker field lazily', async () => {
    const loader = createExtensionTester(mlflowModelVersionPickerFormField).get(
      FormFieldBlueprint.dataRefs.formFieldLoader,
    );
    expect(await loader()).toBe(mlflowModelVersionPickerField);
  });
});
