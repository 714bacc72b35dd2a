// What runtime/routing.js finds around it once deployed: CloudFront's helper module and the settings
// line the construct writes above it (see routingFunctionCode in src/static-site/routing-function.ts).

/** A CloudFront KeyValueStore handle of the `cloudfront` module. */
interface CloudFrontKeyValueStore {
  get(key: string): Promise<string>;
  exists(key: string): Promise<boolean>;
}

/** The `cloudfront` module, imported as `cf` when the site has releases. */
declare const cf: { kvs(id: string): CloudFrontKeyValueStore };

/** What both CloudFront Functions of a site with previews know of them (PreviewSettings in routing-function.ts). */
interface PreviewSettings {
  keyPrefix: string;
  tokenKeyPrefix: string;
  header: string;
  cookie: string;
  query: string;
  marker: string;
  domain?: string;
}

/** The settings line the construct writes above runtime/preview-response.js. */
declare const PREVIEW: PreviewSettings | null;

/** The rules settings line the construct writes above runtime/preview-response.js (ResponseRulesSettings in routing-function.ts). */
declare const RULES: { keyValueStoreId: string; headers: string; statusMetadata: string; releaseMetadata: string } | null;

/** runtime/edge-rules.js, deployed in front of both functions of a site with rules. */
declare function edgePath(uri: string): string;
declare function edgeMatch(pattern: string, path: string): Record<string, string> | null;
declare function edgeParse(value: string): any;
declare function edgeJson(get: (key: string) => Promise<string>, key: string): Promise<any>;
declare function edgeTable(get: (key: string) => Promise<string>, release: string, kind: string, segment: string): Promise<any>;

/** The site's settings, written by the construct (RoutingSettings in routing-function.ts). */
declare const ROUTING: {
  singlePageApp: boolean;
  fromHosts?: string[];
  toHost?: string;
  keyValueStoreId?: string;
  rules?: { redirects: string; statusPages: string };
  releasesPrefix?: string;
  liveReleaseKey?: string;
  preview?: PreviewSettings;
};
