/**
 * PublishLayerVersion and GetLayerVersion, kept in memory; the probe layer is published here in
 * tests and local use. A published archive is inflated once, with a running count, to check it
 * the way Lambda does (a readable zip, at most 250 MB unzipped) without keeping its files.
 */
import { unzip, UNZIPPED_LIMIT, ZipTooLargeError } from '../lambda/zip';
import { jsonReply, type Route } from './router';
import { errors, layerArn } from './service-error';
import type { EndpointState, LayerVersion } from './state';

/** Lambda's limit on a PublishLayerVersion request: a 50 MB zip, base64 in JSON. */
const PUBLISH_BODY_LIMIT = 69905067;

export function layerRoutes(state: EndpointState): Route[] {
  const describe = (layer: LayerVersion) => ({
    Content: {
      Location: `file://warm-state-local/layers/${layer.name}/${layer.version}.zip`,
      CodeSha256: layer.codeSha256,
      CodeSize: layer.zip.length,
    },
    LayerArn: layerArn(state.region, layer.name),
    LayerVersionArn: state.layerVersionArn(layer),
    Description: layer.description,
    CreatedDate: layer.createdDate,
    Version: layer.version,
    CompatibleRuntimes: layer.compatibleRuntimes,
  });
  return [
    {
      method: 'POST',
      pattern: '/2018-10-31/layers/{layer}/versions',
      action: 'lambda:PublishLayerVersion',
      resource: (params, region) => layerArn(region, params.layer),
      maxBody: PUBLISH_BODY_LIMIT,
      // A layer exists to add code to functions: only a verified caller may publish one.
      addsCode: 'a layer',
      handle: async (request) => {
        if (!/^[a-zA-Z0-9_-]{1,140}$/.test(request.params.layer)) throw errors.invalidParameter('Invalid layer name');
        let body: { Description?: string; Content?: { ZipFile?: string }; CompatibleRuntimes?: string[] };
        try {
          body = JSON.parse(request.body.toString('utf8'));
        } catch (error) {
          throw errors.invalidJson(error instanceof Error ? error.message : String(error));
        }
        const zip = Buffer.from(body.Content?.ZipFile ?? '', 'base64');
        let unzipped;
        try {
          unzipped = await unzip(zip, UNZIPPED_LIMIT, () => ({ write: () => undefined, end: () => undefined }));
        } catch (error) {
          if (error instanceof ZipTooLargeError) throw errors.invalidParameter(`Unzipped size must be smaller than ${UNZIPPED_LIMIT} bytes`);
          throw errors.invalidParameter('Could not unzip uploaded file. Please check your file, then try to upload again.');
        }
        if (unzipped.files === 0) throw errors.invalidParameter('Uploaded file must be a non-empty zip');
        const layer = state.publishLayerVersion(request.params.layer, zip, unzipped.bytes, body.Description ?? '', body.CompatibleRuntimes ?? []);
        return jsonReply(201, describe(layer));
      },
    },
    {
      method: 'GET',
      pattern: '/2018-10-31/layers/{layer}/versions/{version}',
      action: 'lambda:GetLayerVersion',
      resource: (params, region) => layerArn(region, params.layer, Number(params.version)),
      handle: async (request) => {
        const layer = state.getLayerVersion(request.params.layer, Number(request.params.version));
        if (!layer) throw errors.layerNotFound();
        return jsonReply(200, describe(layer));
      },
    },
  ];
}
