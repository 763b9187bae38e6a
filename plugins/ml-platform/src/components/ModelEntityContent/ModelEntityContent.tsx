import { Progress, WarningPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { Flex, Text } from '@backstage/ui';
import {
  ML_PLATFORM_ANNOTATIONS,
  parseRegisteredModelRef,
} from '@mlplatform/plugin-ml-platform-common';
import { useMemo, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { mlPlatformApiRef } from '../../api';
import { InferenceChain } from '../InferenceChain';
import { LeadTimeChart } from '../LeadTimeChart';
import { LoadError } from '../LoadError';
import { ModelDeployments } from '../ModelDeployments';
import { VersionsTable } from '../ModelVersions';
import { ChangeTrafficButton, RolloutHistory } from '../Rollouts';
import { RegistryWarnings } from '../RegistryWarnings';
import { VersionsTimeline } from '../VersionsTimeline';
import { ModelNotFound } from './ModelNotFound';
import { ModelSummary } from './ModelSummary';
import { Section } from './Section';
import { servingShares } from './servingShares';

/** The registered model behind a catalog entity: versions, where they run, where they came from. */
export const ModelEntityContent = () => {
  const { entity } = useEntity();
  const api = useApi(mlPlatformApiRef);
  const annotation =
    entity.metadata.annotations?.[ML_PLATFORM_ANNOTATIONS.registeredModel] ??
    '';

  const parsed = useMemo(() => {
    try {
      return { ref: parseRegisteredModelRef(annotation) };
    } catch (e) {
      return { invalid: e as Error };
    }
  }, [annotation]);

  const { value, loading, error, retry } = useAsyncRetry(
    async () =>
      parsed.ref && api.getModel(parsed.ref.name, parsed.ref.registryId),
    [api, parsed],
  );
  // Bumped after each rollout from this page so the history reloads too.
  const [rolloutCount, setRolloutCount] = useState(0);
  const onRolloutChanged = () => {
    setRolloutCount(c => c + 1);
    retry();
  };

  if (!parsed.ref) {
    return (
      <WarningPanel
        severity="error"
        title="This entity names its model the wrong way"
        defaultExpanded
      >
        {parsed.invalid.message}. Fix the annotation in the entity's
        catalog-info.yaml.
      </WarningPanel>
    );
  }
  // A reload after a rollout keeps the page (and its open dialog) in place.
  if (loading && !value) {
    return <Progress />;
  }
  if (error) {
    return <LoadError what="the model" error={error} onRetry={retry} />;
  }
  if (!value) {
    return (
      <ModelNotFound
        name={parsed.ref.name}
        registryId={parsed.ref.registryId}
      />
    );
  }
  const { model, versions, deployments, registries, clusters } = value;
  const shares = servingShares(deployments);
  return (
    <Flex direction="column" gap="4">
      <RegistryWarnings registries={registries} />
      <ModelSummary
        model={model}
        versionCount={versions.length}
        owner={entity.spec?.owner as string | undefined}
      />
      <Section
        title="Versions"
        description="Each version at its registration in the registry, with its aliases, its lineage and the share of traffic it serves."
      >
        {versions.length === 0 ? (
          <Text as="p" color="secondary">
            {model.name} has no versions yet. Register one from a training run
            (mlflow.register_model) and it shows here.
          </Text>
        ) : (
          <>
            <VersionsTimeline versions={versions} shares={shares} />
            <VersionsTable versions={versions} shares={shares} />
          </>
        )}
      </Section>
      <Section
        title="Deployments"
        description="Where the model runs, per cluster and namespace, and how its traffic is split."
      >
        <ModelDeployments
          model={model.name}
          deployments={deployments}
          clusters={clusters}
          renderActions={d => (
            <ChangeTrafficButton
              entity={entity}
              model={model}
              versions={versions}
              deployment={d}
              onChanged={onRolloutChanged}
            />
          )}
        />
      </Section>
      <Section
        title="Rollout history"
        description="Every traffic change attempted on this model: who, when, where, before and after, and how it ended."
      >
        <RolloutHistory
          model={model.name}
          registryId={model.registryId}
          refreshKey={rolloutCount}
        />
      </Section>
      <Section
        title="Deployment lead time"
        description="Per version, from registration to first serving traffic: the time this platform exists to shrink."
      >
        <LeadTimeChart versions={versions} />
      </Section>
      <Section
        title="Inference chain"
        description="The services a request passes through, from the catalog's relations."
      >
        <InferenceChain />
      </Section>
    </Flex>
  );
};
