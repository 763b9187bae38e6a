import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import Typography from '@material-ui/core/Typography';
import { ModelVersion } from '@mlplatform/plugin-ml-platform-common';
import { SafetyBadge } from '../shared';
import { ServingRules, refusalReason } from './refusalReason';

const VersionLabel = ({
  version,
  rules,
}: {
  version: ModelVersion;
  rules: ServingRules;
}) => {
  const refusal = refusalReason(version, rules);
  return (
    <Box display="flex" flexDirection="column" py={0.5}>
      <Box display="flex" alignItems="center" flexWrap="wrap" gridGap={8}>
        <Typography variant="body1" component="span">
          v{version.version}
        </Typography>
        {version.aliases.map(alias => (
          <Chip key={alias} label={alias} size="small" />
        ))}
        <SafetyBadge
          safety={version.safety?.safety}
          reason={version.safety?.reason ?? version.safetyError}
        />
        {version.status !== 'READY' && (
          <Typography variant="caption" color="error">
            {version.status}
          </Typography>
        )}
        {refusal && (
          <Typography variant="caption" color="error">
            refused
          </Typography>
        )}
      </Box>
      <Typography variant="body2" color="textSecondary" component="span">
        {version.safety?.reason ?? version.safetyError}
      </Typography>
    </Box>
  );
};

/**
 * Every version of the chosen model. Refused versions stay listed with the
 * reason, so the user learns why the version they expected is not usable.
 */
export const VersionChoices = ({
  versions,
  rules,
  chosen,
  disabled,
  onChoose,
}: {
  versions: ModelVersion[];
  rules: ServingRules;
  chosen?: string;
  disabled?: boolean;
  onChoose: (version: ModelVersion) => void;
}) => (
  <RadioGroup
    aria-label="Model versions"
    value={chosen ?? ''}
    onChange={(_, value) => {
      const version = versions.find(v => v.version === value);
      if (version) {
        onChoose(version);
      }
    }}
  >
    {versions.map(v => (
      <FormControlLabel
        key={v.version}
        value={v.version}
        disabled={disabled}
        control={<Radio size="small" />}
        label={<VersionLabel version={v} rules={rules} />}
      />
    ))}
  </RadioGroup>
);
