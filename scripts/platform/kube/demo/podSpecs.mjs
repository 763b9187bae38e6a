export const SERVICE_PORT = 8080;

// Taints and labels of the two kinds of node (kube.sh, node.sh).
export const REAL_NODE_TOLERATION = {
  key: 'ml-platform.io/node',
  operator: 'Equal',
  value: 'real',
  effect: 'NoSchedule',
};
export const FAKE_NODE_TOLERATION = {
  key: 'kwok.x-k8s.io/node',
  operator: 'Exists',
  effect: 'NoSchedule',
};

export const httpPort = () => ({
  name: 'http',
  containerPort: SERVICE_PORT,
  protocol: 'TCP',
});

/** A pod of a service image on the real node, as the templates' manifests run it. */
export function servingPodSpec(container, image, env) {
  return {
    automountServiceAccountToken: false,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    containers: [
      {
        name: container,
        image,
        imagePullPolicy: 'IfNotPresent',
        ports: [httpPort()],
        env,
        resources: {
          requests: { cpu: '50m', memory: '128Mi' },
          limits: { memory: '512Mi' },
        },
        readinessProbe: {
          httpGet: { path: '/readyz', port: 'http' },
          periodSeconds: 2,
        },
        livenessProbe: {
          httpGet: { path: '/healthz', port: 'http' },
          periodSeconds: 10,
        },
        securityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        },
      },
    ],
  };
}
