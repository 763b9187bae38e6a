export { readServicePrincipals } from './readServicePrincipals';
export type { ServicePrincipalGrants } from './readServicePrincipals';
export {
  restrictServicePrincipals,
  serviceSubjectOf,
} from './restrictServicePrincipals';
