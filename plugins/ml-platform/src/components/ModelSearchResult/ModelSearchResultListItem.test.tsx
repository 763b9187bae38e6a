import { screen, within } from '@testing-library/react';
import { renderTestApp } from '@backstage/frontend-test-utils';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import searchPlugin from '@backstage/plugin-search/alpha';
import { MockSearchApi, searchApiRef } from '@backstage/plugin-search-react';
import type { MlModelSearchDocument } from '@mlplatform/plugin-ml-platform-common';
import { modelSearchResultListItem, modelSearchResultType } from '../../plugin';

const page = '/catalog/default/component/fraud-scorer/model';

const model: MlModelSearchDocument = {
  title: 'fraud-detector',
  text: 'Gradient-boosted fraud risk score',
  location: page,
  kind: 'model',
  registryId: 'mlflow',
  model: 'fraud-detector',
  version: '',
  description: 'Gradient-boosted fraud risk score',
  aliases: ['champion → v5'],
  owner: 'fraud-ml',
  safety: 'safe',
  safetyReason: 'v5: Read 2 files, data only (onnx)',
};

const version: MlModelSearchDocument = {
  ...model,
  title: 'fraud-detector v1',
  text: 'Version 1 of fraud-detector, READY, serialization unsafe',
  location: `${page}#version-1`,
  kind: 'version',
  version: '1',
  description: '',
  aliases: [],
  safety: 'unsafe',
  safetyReason: 'Loading runs code the model’s author chose: model.pkl',
};

describe('models in the search page', () => {
  it("lists a model and its versions with their verdicts, linking to the model's page, and offers Models as a result type", async () => {
    renderTestApp({
      features: [searchPlugin],
      extensions: [modelSearchResultListItem, modelSearchResultType],
      apis: [
        [
          searchApiRef,
          new MockSearchApi({
            results: [
              { type: 'ml-model', document: model },
              { type: 'ml-model', document: version },
            ],
          }),
        ],
        catalogApiMock(),
      ],
      initialRouteEntries: ['/search?query=fraud'],
    });

    const modelLink = await screen.findByRole('link', {
      name: 'fraud-detector',
    });
    expect(modelLink).toHaveAttribute('href', page);
    const modelItem = modelLink.parentElement!;
    expect(
      within(modelItem).getByText('Gradient-boosted fraud risk score'),
    ).toBeInTheDocument();
    expect(
      within(modelItem).getByText(
        'registered model · owner fraud-ml · aliases champion → v5 · registry mlflow',
      ),
    ).toBeInTheDocument();
    expect(
      within(modelItem).getByRole('img', {
        name: 'Serialization safe: v5: Read 2 files, data only (onnx)',
      }),
    ).toBeInTheDocument();

    const versionLink = screen.getByRole('link', { name: 'fraud-detector v1' });
    expect(versionLink).toHaveAttribute('href', `${page}#version-1`);
    expect(
      within(versionLink.parentElement!).getByRole('img', {
        name: 'Serialization unsafe: Loading runs code the model’s author chose: model.pkl',
      }),
    ).toBeInTheDocument();

    expect(screen.getByText('Models')).toBeInTheDocument();
  });
});
