import { CompoundEntityRef } from '@backstage/catalog-model';
import { Link, Text } from '@backstage/ui';
import { useEntityLink } from '../useEntityLink';

/** A catalog entity by its title, linking to its page when the app has entity pages. */
export const EntityLink = ({
  entityRef,
  title,
}: {
  entityRef: CompoundEntityRef;
  title: string;
}) => {
  const href = useEntityLink()(entityRef);
  return href ? (
    <Link href={href} variant="body-medium">
      {title}
    </Link>
  ) : (
    <Text variant="body-medium">{title}</Text>
  );
};
