import { ReactNode } from 'react';
import { Card, CardBody, CardHeader, Flex, Text } from '@backstage/ui';

/** A titled part of the model page; its heading is what the page outline shows. */
export const Section = ({
  title,
  description,
  children,
}: {
  title: string;
  description?: string;
  children: ReactNode;
}) => (
  <Card>
    <CardHeader>
      <Text as="h2" variant="title-small">
        {title}
      </Text>
      {description && (
        <Text as="p" variant="body-small" color="secondary">
          {description}
        </Text>
      )}
    </CardHeader>
    <CardBody>
      <Flex direction="column" gap="3">
        {children}
      </Flex>
    </CardBody>
  </Card>
);
