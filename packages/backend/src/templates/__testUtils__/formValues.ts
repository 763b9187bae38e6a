/** What a member of fraud-ml fills into the model service form. */
export const MODEL_SERVICE_FORM = {
  name: 'fraud-scorer-next',
  description: 'Scores card transactions, ONNX.',
  owner: 'group:default/fraud-ml',
  system: 'system:default/fraud-detection',
  modelVersion: { model: 'fraud-detector', version: '6' },
  cluster: 'local',
  namespace: 'ml-staging',
  router: 'gateway-api',
  gateway: 'ml-gateway',
  replicas: 2,
  cpu: '500m',
  memory: '512Mi',
  imageRepository: 'registry.example.com/ml',
  applyToCluster: false,
};

/** What a member of fraud-ml fills into the processing service form. */
export const PROCESSING_SERVICE_FORM = {
  name: 'fraud-decision-next',
  description: 'Approve, review or decline from the fraud score.',
  owner: 'group:default/fraud-ml',
  system: 'system:default/fraud-detection',
  modelService: 'component:default/fraud-scorer',
  kind: 'post',
  cluster: 'local',
  namespace: 'ml-staging',
  replicas: 1,
  cpu: '250m',
  memory: '256Mi',
  imageRepository: 'registry.example.com/ml',
  applyToCluster: false,
};
