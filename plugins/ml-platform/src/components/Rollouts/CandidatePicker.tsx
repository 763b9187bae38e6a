import { useId } from 'react';
import TextField from '@material-ui/core/TextField';
import { ModelVersion } from '@mlplatform/plugin-ml-platform-common';

/** The version a canary, promote or gradual rollout moves traffic to; unsafe ones say why. */
export const CandidatePicker = ({
  candidates,
  value,
  versions,
  onChange,
}: {
  candidates: string[];
  value?: string;
  versions: ModelVersion[];
  onChange: (version: string) => void;
}) => {
  const id = useId();
  return (
    <TextField
      id={id}
      select
      label="Version"
      value={value ?? ''}
      onChange={e => onChange(e.target.value)}
      SelectProps={{ native: true }}
      size="small"
      variant="outlined"
    >
      {candidates.map(version => {
        const verdict = versions.find(v => v.version === version)?.safety;
        return (
          <option key={version} value={version}>
            {`v${version}`}
            {verdict?.safety === 'unsafe' ? ` (unsafe: ${verdict.reason})` : ''}
          </option>
        );
      })}
    </TextField>
  );
};
