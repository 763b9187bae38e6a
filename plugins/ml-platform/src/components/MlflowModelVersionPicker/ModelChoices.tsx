import FormControlLabel from '@material-ui/core/FormControlLabel';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import Typography from '@material-ui/core/Typography';
import { ModelSummary } from '@mlplatform/plugin-ml-platform-common';

const keyOf = (m: { registryId?: string; name: string }) =>
  `${m.registryId ?? ''}/${m.name}`;

/** The models found by the search, one of which can be chosen. */
export const ModelChoices = ({
  models,
  chosen,
  disabled,
  onChoose,
}: {
  models: ModelSummary[];
  chosen?: { registry?: string; model: string };
  disabled?: boolean;
  onChoose: (model: ModelSummary) => void;
}) => {
  const chosenModel = models.find(
    m =>
      m.name === chosen?.model &&
      (!chosen.registry || m.registryId === chosen.registry),
  );
  return (
    <RadioGroup
      aria-label="Registered models"
      value={chosenModel ? keyOf(chosenModel) : ''}
      onChange={(_, key) => {
        const model = models.find(m => keyOf(m) === key);
        if (model) {
          onChoose(model);
        }
      }}
    >
      {models.map(m => (
        <FormControlLabel
          key={keyOf(m)}
          value={keyOf(m)}
          disabled={disabled}
          control={<Radio size="small" />}
          label={
            <>
              <Typography variant="body1" component="span">
                {m.name}
              </Typography>
              <Typography variant="body2" color="textSecondary">
                {[m.owner && `owned by ${m.owner}`, m.description]
                  .filter(Boolean)
                  .join(' · ')}
              </Typography>
            </>
          }
        />
      ))}
    </RadioGroup>
  );
};
