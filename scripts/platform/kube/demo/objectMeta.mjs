/** An object's kind, namespace and name, as the key of the sets and maps below. */
export const objectKey = ({ kind, metadata }) =>
  `${kind}/${metadata.namespace ?? ''}/${metadata.name}`;

/** Metadata as the seed writes it: labels always, annotations when there are any. */
export function meta(name, namespace, labels, annotations) {
  return {
    name,
    namespace,
    labels: labels ?? {},
    ...(annotations && { annotations }),
  };
}
