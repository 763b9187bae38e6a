import { configApiRef } from '@backstage/core-plugin-api';
import { CustomFieldValidator } from '@backstage/plugin-scaffolder-react';
import { mlPlatformApiRef } from '../../api';
import { errorMessage } from '../errorMessage';
import { refusalReason, servingRules } from './refusalReason';
import {
  ModelVersionChoice,
  MlflowModelVersionPickerUiOptions,
} from './schema';

/**
 * Checks the chosen version against the registry when the step is submitted,
 * so a value that did not come from the picker (a link with prefilled form
 * data, a version that went unsafe meanwhile) is refused as well.
 */
export const validateModelVersion: CustomFieldValidator<
  ModelVersionChoice,
  MlflowModelVersionPickerUiOptions
> = async (value, validation, context) => {
  // The form calls this before anything is chosen, too.
  if (!value?.model) {
    validation.addError('Choose a registered model.');
    return;
  }
  const allowed = context.uiSchema?.['ui:options']?.allowedModels;
  if (allowed && !allowed.includes(value.model)) {
    validation.addError(
      `${value.model} cannot be chosen here; choose one of ${allowed.join(
        ', ',
      )}.`,
    );
    return;
  }
  if (!value.version) {
    validation.addError(`Choose a version of ${value.model}.`);
    return;
  }
  const api = context.apiHolder.get(mlPlatformApiRef);
  if (!api) {
    validation.addError('The ML Platform API is not installed in this app.');
    return;
  }
  try {
    const details = await api.getModel(value.model, value.registry);
    if (!details) {
      validation.addError(`No model registry has a model ${value.model}.`);
      return;
    }
    const version = details.versions.find(v => v.version === value.version);
    if (!version) {
      validation.addError(`${value.model} has no version ${value.version}.`);
      return;
    }
    const rules = servingRules(
      context.apiHolder.get(configApiRef),
      context.uiSchema?.['ui:options'],
      context.formData as Record<string, unknown> | undefined,
    );
    const refusal = refusalReason(version, rules);
    if (refusal) {
      validation.addError(refusal);
    }
  } catch (error) {
    validation.addError(
      `Could not check ${value.model} v${value.version}: ${errorMessage(
        error as Error,
      )}`,
    );
  }
};
