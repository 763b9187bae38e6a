import { ReactNode } from 'react';
import { Card, CardBody, CardHeader, Flex, Link, Text } from '@backstage/ui';
import { ModelDeployment } from '@mlplatform/plugin-ml-platform-common';
import { TrafficSplitBar } from '../shared';
import { ReplicaHealth } from './ReplicaHealth';
import { describeProgress } from './describeProgress';

/** One cluster/namespace the model runs in: its router, workloads, traffic and rollout. */
export const DeploymentCard = ({
  deployment,
  kubernetesLink,
  actions,
}: {
  deployment: ModelDeployment;
  kubernetesLink?: string;
  /** Controls for this deployment, e.g. changing its traffic. */
  actions?: ReactNode;
}) => {
  const { cluster, namespace, router, versions, progress } = deployment;
  const where = `${cluster} / ${namespace}`;
  return (
    <Card>
      <CardHeader>
        <Flex justify="between" align="center">
          <Text as="h3" variant="title-x-small">
            {where}
          </Text>
          <Flex gap="3" align="center">
            {kubernetesLink && (
              <Link href={kubernetesLink} variant="body-small">
                View pods in Kubernetes
              </Link>
            )}
            {actions}
          </Flex>
        </Flex>
        <Text variant="body-small" color="secondary">
          {router
            ? `${router.kind} ${router.name}${
                router.managedBy ? ` · managed by ${router.managedBy}` : ''
              }`
            : 'No traffic router: each version takes the traffic of its own Service'}
        </Text>
      </CardHeader>
      <CardBody>
        <Flex direction="column" gap="3">
          <TrafficSplitBar
            versions={versions.map(v => ({
              version: v.version,
              percent: v.percent,
            }))}
            size="large"
          />
          {progress && (
            <Text
              variant="body-small"
              color={progress.paused ? 'warning' : 'primary'}
            >
              {router?.kind ?? 'Rollout'} {describeProgress(progress)}
            </Text>
          )}
          <ul
            aria-label={`Workloads in ${where}`}
            style={{ margin: 0, paddingLeft: 0, listStyle: 'none' }}
          >
            {versions.map(v => (
              <li key={v.version}>
                <Flex gap="2" align="baseline">
                  <Text variant="body-small" weight="bold">
                    v{v.version}
                  </Text>
                  <Text variant="body-small" color="secondary">
                    {v.workload
                      ? `${v.workload.kind} ${v.workload.name}`
                      : 'workload'}
                  </Text>
                  <ReplicaHealth workload={v.workload} />
                  <Text variant="body-small" color="secondary">
                    {v.percent}% of traffic
                  </Text>
                </Flex>
              </li>
            ))}
          </ul>
        </Flex>
      </CardBody>
    </Card>
  );
};
