import { useEffect, useId, useMemo, useState } from 'react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import { configApiRef, useApi } from '@backstage/frontend-plugin-api';
import { Flex, Text } from '@backstage/ui';
import {
  GradualRollout,
  ModelDeployment,
  ModelSummary,
  ModelVersion,
  TrafficRouterRef,
} from '@mlplatform/plugin-ml-platform-common';
import useAsync from 'react-use/esm/useAsync';
import { mlPlatformApiRef, RolloutConflictError } from '../../api';
import { TrafficSplitBar, VersionShare } from '../shared';
import { CandidatePicker } from './CandidatePicker';
import { errorMessage } from '../errorMessage';
import { GradualRolloutProgress } from './GradualRolloutProgress';
import { GradualStepsEditor } from './GradualStepsEditor';
import { PresetButtons } from './PresetButtons';
import { SplitEditor } from './SplitEditor';
import {
  defaultGradualSteps,
  RolloutDraft,
  RolloutPreset,
  rolloutRequestOf,
} from './RolloutDraft';
import { RolloutPreview } from './RolloutPreview';
import {
  allTo,
  defaultCandidate,
  mainVersion,
  Percents,
  setPercent,
} from './splitMath';
import { useRollbackTarget } from './useRollbackTarget';

/** Percent per version of a deployment or of a split the backend read. */
const percentsOf = (split: { versions: VersionShare[] }): Percents =>
  Object.fromEntries(split.versions.map(v => [v.version, v.percent]));

/** The split a preset gives, from the current one. */
const afterFor = (
  preset: RolloutPreset,
  base: Percents,
  candidate: string | undefined,
): Percents => {
  if (!candidate) {
    return base;
  }
  const versions = Object.keys(base);
  switch (preset) {
    case 'canary':
      return setPercent(base, candidate, 10);
    case 'ab': {
      const { [candidate]: _, ...others } = base;
      const main = mainVersion(others) ?? candidate;
      return Object.fromEntries(
        versions.map(v => [v, v === candidate || v === main ? 50 : 0]),
      );
    }
    case 'promote':
      return allTo(versions, candidate);
    default:
      return base;
  }
};

/**
 * Changes the traffic of one deployment: presets, a hand-set split, a
 * preview of exactly what changes, then Apply. The resourceVersion the page
 * showed guards the write; when someone changed the deployment since, the
 * fresh split is shown and the change can be applied on top of it.
 */
export const RolloutDialog = ({
  model,
  versions,
  deployment,
  router,
  open,
  onClose,
  onChanged,
}: {
  model: ModelSummary;
  versions: ModelVersion[];
  deployment: ModelDeployment;
  router: TrafficRouterRef;
  open: boolean;
  onClose: () => void;
  onChanged: () => void;
}) => {
  const api = useApi(mlPlatformApiRef);
  const titleId = useId();
  const servingAlias =
    useApi(configApiRef).getOptionalString(
      'mlPlatform.rollouts.servingAlias',
    ) ?? 'champion';
  const initialBase = useMemo(
    () => ({
      percents: percentsOf(deployment),
      resourceVersion: router.resourceVersion,
    }),
    [deployment, router],
  );
  const [base, setBase] = useState(initialBase);
  const [conflict, setConflict] = useState(false);
  const [draft, setDraft] = useState<RolloutDraft>({
    preset: 'custom',
    after: initialBase.percents,
    candidate: defaultCandidate(initialBase.percents),
    steps: defaultGradualSteps,
  });
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string>();
  const [started, setStarted] = useState<GradualRollout>();

  const { cluster, namespace } = deployment;
  const rollback = useRollbackTarget(
    deployment,
    open && draft.preset === 'rollback',
  );
  const active = useAsync(async () => {
    if (!open) {
      return undefined;
    }
    const { items } = await api.listGradualRollouts(deployment.model, {
      cluster,
      namespace,
    });
    return items.find(r => r.state === 'running' || r.state === 'paused');
  }, [api, open, deployment.model, cluster, namespace]);
  const gradual = started ?? active.value;

  useEffect(() => {
    if (!open) {
      setBase(initialBase);
      setConflict(false);
      setError(undefined);
      setStarted(undefined);
      setDraft(d => ({
        ...d,
        preset: 'custom',
        after: initialBase.percents,
        candidate: defaultCandidate(initialBase.percents),
      }));
    }
  }, [open, initialBase]);

  const choose = (preset: RolloutPreset, candidate = draft.candidate) => {
    setError(undefined);
    setDraft(d => ({
      ...d,
      preset,
      candidate,
      after: afterFor(preset, base.percents, candidate),
    }));
  };

  const editPercent = (version: string, percent: number) =>
    setDraft(d => ({
      ...d,
      preset:
        d.preset === 'canary' && version === d.candidate ? 'canary' : 'custom',
      after: setPercent(d.after, version, percent),
    }));

  const rollbackRecord = rollback.value?.record;
  const after =
    draft.preset === 'rollback'
      ? rollbackRecord?.before && percentsOf(rollbackRecord.before)
      : draft.after;
  const aliasMove = (() => {
    if (draft.preset === 'promote' && draft.candidate) {
      const from = model.aliases[servingAlias];
      return from === draft.candidate
        ? undefined
        : { alias: servingAlias, from, to: draft.candidate };
    }
    const change = rollbackRecord?.aliasChange;
    if (draft.preset === 'rollback' && change?.from) {
      return { alias: change.alias, from: change.to, to: change.from };
    }
    return undefined;
  })();

  const sum = Object.values(draft.after).reduce((s, p) => s + p, 0);
  const blocked = (() => {
    if (draft.preset === 'rollback') {
      if (rollback.loading) return 'Reading the rollout history…';
      if (rollback.error) return errorMessage(rollback.error);
      if (!rollbackRecord) return 'No earlier rollout to roll back to';
      return undefined;
    }
    if (draft.preset === 'gradual') {
      return gradual ? 'A gradual rollout is already in progress' : undefined;
    }
    return sum === 100 ? undefined : `The split adds up to ${sum}%, not 100%`;
  })();

  const apply = async () => {
    setSubmitting(true);
    setError(undefined);
    try {
      if (draft.preset === 'gradual') {
        setStarted(
          await api.startGradualRollout({
            model: deployment.model,
            registryId: deployment.registryId,
            cluster,
            namespace,
            target: { version: draft.candidate! },
            steps: draft.steps,
          }),
        );
        onChanged();
        return;
      }
      await api.startRollout(
        rolloutRequestOf(draft, deployment, base.resourceVersion),
      );
      onChanged();
      onClose();
    } catch (e) {
      if (e instanceof RolloutConflictError) {
        setBase({
          percents: percentsOf(e.current),
          resourceVersion: e.resourceVersion,
        });
        setConflict(true);
        onChanged();
      } else {
        setError(errorMessage(e as Error));
      }
    } finally {
      setSubmitting(false);
    }
  };

  const candidates = Object.keys(base.percents);
  const showsCandidate = ['canary', 'ab', 'promote', 'gradual'].includes(
    draft.preset,
  );
  const title = `Change traffic of ${deployment.model} in ${cluster}/${namespace}`;
  return (
    <Dialog
      open={open}
      onClose={onClose}
      maxWidth="md"
      fullWidth
      aria-labelledby={titleId}
    >
      <DialogTitle id={titleId}>{title}</DialogTitle>
      <DialogContent>
        <Flex direction="column" gap="3">
          {gradual && (
            <GradualRolloutProgress
              key={gradual.id}
              initial={gradual}
              onStepApplied={onChanged}
            />
          )}
          {conflict && (
            <div role="alert">
              <Text variant="body-small" color="warning">
                The traffic changed since you opened this: nothing was applied.
                Below is the split now; Apply again to change it.
              </Text>
            </div>
          )}
          <TrafficSplitBar
            label="Now"
            versions={Object.entries(base.percents).map(
              ([version, percent]) => ({ version, percent }),
            )}
            size="large"
          />
          <PresetButtons
            selected={draft.preset}
            onSelect={preset => choose(preset)}
            singleVersion={candidates.length < 2}
          />
          {showsCandidate && (
            <CandidatePicker
              candidates={candidates}
              value={draft.candidate}
              versions={versions}
              onChange={v => choose(draft.preset, v)}
            />
          )}
          {draft.preset === 'gradual' && (
            <GradualStepsEditor
              steps={draft.steps}
              onChange={steps => setDraft(d => ({ ...d, steps }))}
            />
          )}
          {draft.preset !== 'gradual' && draft.preset !== 'rollback' && (
            <SplitEditor
              after={draft.after}
              versions={versions}
              onChange={editPercent}
            />
          )}
          <RolloutPreview
            draft={draft}
            before={base.percents}
            after={after}
            router={router}
            aliasMove={aliasMove}
          />
          {(error || blocked) && (
            <div role={error ? 'alert' : undefined}>
              <Text variant="body-small" color={error ? 'danger' : 'secondary'}>
                {error ?? blocked}
              </Text>
            </div>
          )}
        </Flex>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={submitting || !!blocked}
          onClick={apply}
        >
          Apply
        </Button>
      </DialogActions>
    </Dialog>
  );
};
