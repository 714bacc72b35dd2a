import * as vm from 'vm';

/** The keys and values of the KeyValueStores a function may read, by store id. */
export type KeyValueStores = Record<string, Record<string, string>>;

// CloudFront stops a function that runs too long (its limit is on compute utilization, far below this).
const TIMEOUT_MS = 1000;

/** The first line of a function that uses CloudFront's helper module (KeyValueStore access). */
const CLOUDFRONT_IMPORT = /^import cf from 'cloudfront';\n/;

/**
 * A CloudFront Function run the way CloudFront runs it: each event in a fresh JavaScript context
 * holding only the function's code, the handler called with the event. The `cloudfront` module the
 * code may import offers `cf.kvs(id)` over `stores`. Used by the tests of the functions' rules and
 * by the browser proof's CloudFront emulator alike.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-event-structure.html
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-custom-methods.html
 */
export class CloudFrontFunction {
  private readonly script: vm.Script;

  constructor(code: string, filename: string, private readonly stores: KeyValueStores = {}) {
    // A vm script has no modules: the import is replaced by the `cf` global each context gets (a
    // blank line, so line numbers stay the code's).
    this.script = new vm.Script(code.replace(CLOUDFRONT_IMPORT, '\n'), { filename });
  }

  /** Calls the handler with `event` and returns what it returned; `onRead` hears each key the code reads from a store. */
  public async handle(event: object, onRead: (key: string) => void = () => undefined): Promise<any> {
    const context = vm.createContext({ console: { log: () => undefined }, cf: cloudFrontModule(this.stores, onRead), event });
    this.script.runInContext(context, { timeout: TIMEOUT_MS });
    // cloudfront-js-2.0 allows an async handler, so the result may be a promise.
    return vm.runInContext('handler(event)', context, { timeout: TIMEOUT_MS });
  }
}

/**
 * The `cloudfront` module: `kvs(id)` reads a store of `stores`; `get` rejects a missing key, as
 * CloudFront's does, and `exists` tells whether a key is there. An unknown store id throws.
 */
function cloudFrontModule(stores: KeyValueStores, onRead: (key: string) => void): object {
  return {
    kvs: (id: string) => {
      const store = stores[id];
      if (!store) {
        throw new Error(`no KeyValueStore ${id} is associated with the function`);
      }
      return {
        get: async (key: string) => {
          onRead(key);
          if (!(key in store)) {
            throw new Error(`KeyValueStore ${id} has no key ${key}`);
          }
          return store[key];
        },
        exists: async (key: string) => key in store,
      };
    },
  };
}
