import { Entity } from '@backstage/catalog-model';
import { classifyRelated } from './classifyRelated';

const component = (name: string, tags: string[] = []): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', tags },
});

describe('classifyRelated', () => {
  const model: Entity = {
    ...component('fraud-scorer'),
    relations: [
      { type: 'dependsOn', targetRef: 'component:default/features' },
      { type: 'dependsOn', targetRef: 'component:default/explainer' },
      { type: 'dependencyOf', targetRef: 'component:default/decision' },
      { type: 'dependsOn', targetRef: 'resource:default/feature-store' },
      { type: 'providesApi', targetRef: 'api:default/score' },
      { type: 'ownedBy', targetRef: 'group:default/fraud-ml' },
    ],
  };

  it('puts what the model depends on before it and what depends on it after it', () => {
    const parts = classifyRelated(model, new Map());
    expect(parts.pre.map(r => r.name)).toEqual(['features', 'explainer']);
    expect(parts.post.map(r => r.name)).toEqual(['decision']);
    expect(parts.apis.map(r => r.name)).toEqual(['score']);
  });

  it('lets a postprocessing tag win over the direction of the relation', () => {
    const parts = classifyRelated(
      model,
      new Map([
        [
          'component:default/explainer',
          component('explainer', ['postprocessing']),
        ],
      ]),
    );
    expect(parts.pre.map(r => r.name)).toEqual(['features']);
    expect(parts.post.map(r => r.name)).toEqual(['explainer', 'decision']);
  });
});
