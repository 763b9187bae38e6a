import { useEffect, useMemo, useState } from 'react';
import Box from '@material-ui/core/Box';
import FormHelperText from '@material-ui/core/FormHelperText';
import FormLabel from '@material-ui/core/FormLabel';
import LinearProgress from '@material-ui/core/LinearProgress';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { configApiRef, useApi } from '@backstage/core-plugin-api';
import { ScaffolderField } from '@backstage/plugin-scaffolder-react/alpha';
import { errorMessage } from '../errorMessage';
import { defaultVersion } from './defaultVersion';
import { ModelChoices } from './ModelChoices';
import { refusalReason, servingRules, unknownCaution } from './refusalReason';
import { MlflowModelVersionPickerProps } from './schema';
import { useModelSearch } from './useModelSearch';
import { useModelVersions } from './useModelVersions';
import { VersionChoices } from './VersionChoices';

/**
 * Scaffolder form field: search the registered models, choose one, then one
 * of its versions. Versions that must not be served are listed but refused.
 */
export const MlflowModelVersionPicker = (
  props: MlflowModelVersionPickerProps,
) => {
  const {
    formData,
    onChange,
    schema,
    uiSchema,
    rawErrors,
    required,
    disabled,
    idSchema,
    formContext,
  } = props;
  const config = useApi(configApiRef);
  const allowedModels = uiSchema['ui:options']?.allowedModels;
  const [search, setSearch] = useState('');
  const models = useModelSearch(search, allowedModels);
  const versions = useModelVersions(formData?.model, formData?.registry);

  const chosenVersion = versions.value?.find(
    v => v.version === formData?.version,
  );
  // The whole form's data, later steps included once visited.
  const options = uiSchema['ui:options'];
  const stepsData = formContext?.formData as
    | Record<string, unknown>
    | undefined;
  const rules = useMemo(
    () => servingRules(config, options, stepsData),
    [config, options, stepsData],
  );
  const refusal = chosenVersion && refusalReason(chosenVersion, rules);
  const caution =
    chosenVersion && !refusal && unknownCaution(chosenVersion, rules);

  // Start from the champion once the chosen model's versions are known,
  // unless the user (or a prefilled link) already named a version.
  useEffect(() => {
    if (!formData?.model || formData.version || !versions.value) {
      return;
    }
    const champion = defaultVersion(versions.value, rules);
    if (champion) {
      onChange({ ...formData, version: champion.version });
    }
  }, [formData, versions.value, onChange, rules]);

  const searchId = `${idSchema?.$id ?? 'modelVersion'}-search`;
  return (
    <ScaffolderField
      rawDescription={uiSchema['ui:description'] ?? schema.description}
      rawErrors={rawErrors}
      required={required}
      disabled={disabled}
    >
      <FormLabel required={required}>
        {schema.title ?? 'Model version'}
      </FormLabel>
      <TextField
        id={searchId}
        label="Search models"
        placeholder="Part of a model's name or description"
        value={search}
        onChange={e => setSearch(e.target.value)}
        disabled={disabled}
        margin="dense"
        variant="outlined"
        fullWidth
      />
      {models.loading && <LinearProgress aria-label="Searching models" />}
      {models.error && (
        <FormHelperText error>
          Could not search the models: {errorMessage(models.error)}
        </FormHelperText>
      )}
      {models.value?.unreachable.map(r => (
        <FormHelperText key={r.id} error>
          Registry {r.id} is unreachable, its models are missing
          {r.error ? `: ${r.error}` : ''}
        </FormHelperText>
      ))}
      {models.value && models.value.items.length === 0 && (
        <Typography variant="body2" color="textSecondary">
          {search
            ? `No registered model matches “${search}”.`
            : 'No registered models.'}
        </Typography>
      )}
      {models.value && (
        <ModelChoices
          models={models.value.items}
          chosen={formData}
          disabled={disabled}
          onChoose={m =>
            onChange({ registry: m.registryId, model: m.name, version: '' })
          }
        />
      )}
      {models.value && models.value.totalCount > models.value.items.length && (
        <FormHelperText>
          {models.value.totalCount - models.value.items.length} more models
          match: refine the search to find yours.
        </FormHelperText>
      )}

      {formData?.model && (
        <Box mt={2}>
          <FormLabel>Versions of {formData.model}</FormLabel>
          {versions.loading && <LinearProgress aria-label="Loading versions" />}
          {versions.error && (
            <FormHelperText error>
              Could not load the versions of {formData.model}:{' '}
              {errorMessage(versions.error)}
            </FormHelperText>
          )}
          {versions.value && versions.value.length === 0 && (
            <Typography variant="body2" color="textSecondary">
              {formData.model} has no versions.
            </Typography>
          )}
          {versions.value && (
            <VersionChoices
              versions={versions.value}
              rules={rules}
              chosen={formData.version}
              disabled={disabled}
              onChoose={v => onChange({ ...formData, version: v.version })}
            />
          )}
        </Box>
      )}
      {/* Once the form's validation has said it, saying it twice is noise. */}
      {refusal && !rawErrors?.includes(refusal) && (
        <FormHelperText error role="alert">
          {refusal}
        </FormHelperText>
      )}
      {chosenVersion && !refusal && (
        // Not red while the form still shows the previous choice's error.
        <FormHelperText error={false}>
          The service will serve models:/{chosenVersion.name}/
          {chosenVersion.version}.
        </FormHelperText>
      )}
      {caution && <FormHelperText>{caution}</FormHelperText>}
    </ScaffolderField>
  );
};
