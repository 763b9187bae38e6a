import { conditions } from '../statusConditions.mjs';
import { meta, objectKey } from './objectMeta.mjs';
import { SERVICE_PORT } from './podSpecs.mjs';

export const GATEWAY_CONTROLLER = 'ml-platform.io/demo-gateway-controller';
const TRAEFIK_CONTROLLER = 'traefik.io/gateway-controller';
const GATEWAY_CLASS = 'ml-platform-demo';
const GATEWAY = 'ml-gateway';

/** Conditions a controller writes once it has seen the object's generation. */
const acceptedConditions = (types, generation) =>
  types.map(type => ({
    type,
    status: 'True',
    reason: type,
    message: '',
    observedGeneration: generation,
  }));

/**
 * The demo's GatewayClass, of Traefik with serving on, else of a controller
 * that does not run: its status is written as that controller would.
 */
export function addGatewayClass(demo) {
  const controller = demo.serving ? TRAEFIK_CONTROLLER : GATEWAY_CONTROLLER;
  const gatewayClass = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name: GATEWAY_CLASS },
    spec: { controllerName: controller },
  };
  // controllerName cannot change: a class of the other controller is made anew.
  demo.replaceIf.set(
    objectKey(gatewayClass),
    cur => cur.spec.controllerName !== controller,
  );
  demo.add(
    gatewayClass,
    demo.serving
      ? undefined
      : cur => ({
          conditions: conditions(
            cur.status?.conditions,
            [
              {
                type: 'Accepted',
                status: 'True',
                reason: 'Accepted',
                message: '',
                observedGeneration: cur.metadata.generation,
              },
            ],
            'lastTransitionTime',
          ),
        }),
    GATEWAY_CONTROLLER,
  );
}

export function addGateway(demo, namespace) {
  const status = cur => {
    const old = cur.status ?? {};
    const generation = cur.metadata.generation;
    return {
      conditions: conditions(
        old.conditions,
        acceptedConditions(['Accepted', 'Programmed'], generation),
        'lastTransitionTime',
      ),
      listeners: [
        {
          name: 'http',
          attachedRoutes: demo.routesPerNamespace.get(namespace) ?? 0,
          supportedKinds: [
            { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' },
          ],
          conditions: conditions(
            (old.listeners ?? [{}])[0]?.conditions,
            acceptedConditions(
              ['Accepted', 'Programmed', 'ResolvedRefs'],
              generation,
            ),
            'lastTransitionTime',
          ),
        },
      ],
    };
  };
  // Traefik serves a Gateway listener on its entryPoint of the same port.
  const port = demo.serving ? demo.gatewayInfo.port : 80;
  demo.add(
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: meta(GATEWAY, namespace),
      spec: {
        gatewayClassName: GATEWAY_CLASS,
        listeners: [
          {
            name: 'http',
            protocol: 'HTTP',
            port,
            allowedRoutes: { namespaces: { from: 'Same' } },
          },
        ],
      },
    },
    demo.serving ? undefined : status,
    GATEWAY_CONTROLLER,
  );
}

export function addHttpRoute(
  demo,
  name,
  namespace,
  labels,
  backends,
  backendKind,
) {
  const status = cur => {
    const old = (cur.status?.parents ?? [{}])[0]?.conditions;
    const gen = cur.metadata.generation;
    return {
      parents: [
        {
          parentRef: {
            group: 'gateway.networking.k8s.io',
            kind: 'Gateway',
            name: GATEWAY,
          },
          controllerName: GATEWAY_CONTROLLER,
          conditions: conditions(
            old,
            [
              {
                type: 'Accepted',
                status: 'True',
                reason: 'Accepted',
                message: 'Route is accepted',
                observedGeneration: gen,
              },
              {
                type: 'ResolvedRefs',
                status: 'True',
                reason: 'ResolvedRefs',
                message: 'All references resolved',
                observedGeneration: gen,
              },
            ],
            'lastTransitionTime',
          ),
        },
      ],
    };
  };
  demo.routesPerNamespace.set(
    namespace,
    (demo.routesPerNamespace.get(namespace) ?? 0) + 1,
  );
  demo.add(
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: meta(name, namespace, labels),
      spec: {
        parentRefs: [
          {
            group: 'gateway.networking.k8s.io',
            kind: 'Gateway',
            name: GATEWAY,
          },
        ],
        hostnames: [`${name}.${namespace}.ml.example.com`],
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/' } }],
            backendRefs: backends.map(([svc, weight]) =>
              backendKind
                ? {
                    group: backendKind[0],
                    kind: backendKind[1],
                    name: svc,
                    weight,
                  }
                : {
                    group: '',
                    kind: 'Service',
                    name: svc,
                    port: SERVICE_PORT,
                    weight,
                  },
            ),
          },
        ],
      },
    },
    demo.serving ? undefined : status,
    GATEWAY_CONTROLLER,
  );
}
