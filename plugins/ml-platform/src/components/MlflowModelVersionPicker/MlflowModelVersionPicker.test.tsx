import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { Stepper } from '@backstage/plugin-scaffolder-react/alpha';
import { mlPlatformApiRef } from '../../api';
import { registryApi } from './__fixtures__/registry';
import { mlflowModelVersionPickerOptions } from './formField';

/** A one-step template whose only parameter is the field, as a template declares it. */
const manifest = (uiOptions: { allowedModels?: string[] } = {}) => ({
  title: 'ML model service',
  steps: [
    {
      title: 'Model',
      schema: {
        type: 'object',
        required: ['modelVersion'],
        properties: {
          modelVersion: {
            type: 'object',
            title: 'Model version',
            'ui:field': 'MlflowModelVersionPicker',
            'ui:options': uiOptions,
          },
        },
      },
    },
  ],
});

describe('MlflowModelVersionPicker', () => {
  const render = (uiOptions?: { allowedModels?: string[] }) => {
    const registry = registryApi();
    const onCreate = jest.fn(async () => {});
    renderInTestApp(
      <Stepper
        manifest={manifest(uiOptions)}
        extensions={[mlflowModelVersionPickerOptions]}
        onCreate={onCreate}
      />,
      { apis: [[mlPlatformApiRef, registry.api]] },
    );
    return { ...registry, onCreate };
  };
  const models = () =>
    within(screen.getByRole('radiogroup', { name: 'Registered models' }));
  const versions = () =>
    within(screen.getByRole('radiogroup', { name: 'Model versions' }));
  const review = () =>
    userEvent.click(screen.getByRole('button', { name: 'Review' }));

  it('searches the registered models on the backend as the user types', async () => {
    const { listModels } = render();
    expect(
      await screen.findByRole('radio', { name: /fraud-detector/ }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('radio', { name: /product-ranker/ }),
    ).toBeInTheDocument();
    // An unreachable registry is named, so a missing model has an explanation.
    expect(
      screen.getByText(/Registry mlflow-eu is unreachable.*timed out/),
    ).toBeInTheDocument();

    await userEvent.type(
      screen.getByRole('textbox', { name: 'Search models' }),
      'home page',
    );
    await waitFor(() =>
      expect(
        screen.queryByRole('radio', { name: /fraud-detector/ }),
      ).not.toBeInTheDocument(),
    );
    expect(
      models().getByRole('radio', { name: /product-ranker/ }),
    ).toBeInTheDocument();
    // The search is debounced: the list can show a shorter prefix's answer
    // before the whole text is sent.
    await waitFor(() =>
      expect(listModels).toHaveBeenLastCalledWith({
        search: 'home page',
        limit: 20,
      }),
    );
  });

  it('lists the chosen model’s versions with aliases and verdicts, starting from the safe champion', async () => {
    const { onCreate } = render();
    await userEvent.click(
      await screen.findByRole('radio', { name: /fraud-detector/ }),
    );

    const champion = await versions().findByRole('radio', {
      name: /^v5 champion Serialization safe/,
    });
    await waitFor(() => expect(champion).toBeChecked());
    expect(
      versions().getByRole('radio', {
        name: /^v6 challenger Serialization safe/,
      }),
    ).not.toBeChecked();
    // Refused versions stay listed, each with the reason.
    expect(
      versions().getByRole('radio', {
        name: /^v2 Serialization unsafe.* refused /,
      }),
    ).toBeInTheDocument();
    expect(versions().getAllByRole('radio')).toHaveLength(6);
    expect(
      screen.getByText('The service will serve models:/fraud-detector/5.'),
    ).toBeInTheDocument();

    await review();
    await userEvent.click(
      await screen.findByRole('button', { name: 'Create' }),
    );
    expect(onCreate).toHaveBeenCalledWith({
      modelVersion: {
        registry: 'mlflow',
        model: 'fraud-detector',
        version: '5',
      },
    });
  });

  it('shows an unsafe version but refuses it with the verdict’s reason, and accepts a safe one', async () => {
    const { onCreate } = render();
    await userEvent.click(
      await screen.findByRole('radio', { name: /fraud-detector/ }),
    );
    const v2 = await versions().findByRole('radio', {
      name: /^v2 Serialization unsafe/,
    });
    expect(v2).toBeEnabled();
    await userEvent.click(v2);

    const reason =
      'fraud-detector v2 is unsafe to serve: The sklearn flavor loads model.pkl with pickle, which runs arbitrary code on load.';
    expect(await screen.findByRole('alert')).toHaveTextContent(reason);
    await review();
    // The form stays on the step, and its validation now says why, once.
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
    expect(screen.getByText(reason)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Create' })).toBeNull();

    await userEvent.click(versions().getByRole('radio', { name: /^v6/ }));
    expect(screen.queryByRole('alert')).toBeNull();
    await review();
    await userEvent.click(
      await screen.findByRole('button', { name: 'Create' }),
    );
    expect(onCreate).toHaveBeenCalledWith({
      modelVersion: {
        registry: 'mlflow',
        model: 'fraud-detector',
        version: '6',
      },
    });
  });

  it('chooses no version when the champion is refused, and refuses a version that is not READY', async () => {
    render();
    await userEvent.click(
      await screen.findByRole('radio', { name: /product-ranker/ }),
    );
    const pending = await versions().findByRole('radio', {
      name: /^v3 Serialization safe.*PENDING_REGISTRATION/,
    });
    for (const radio of versions().getAllByRole('radio')) {
      expect(radio).not.toBeChecked();
    }

    await review();
    expect(
      await screen.findByText('Choose a version of product-ranker.'),
    ).toBeInTheDocument();

    await userEvent.click(pending);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'product-ranker v3 is PENDING_REGISTRATION, not READY',
    );
  });

  it('offers only the models the template allows', async () => {
    render({ allowedModels: ['product-ranker'] });
    expect(
      await screen.findByRole('radio', { name: /product-ranker/ }),
    ).toBeInTheDocument();
    expect(models().getAllByRole('radio')).toHaveLength(1);
  });
});
