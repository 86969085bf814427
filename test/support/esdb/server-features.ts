/**
 * `event_store.client.server_features.ServerFeatures/GetSupportedMethods`: the client asks once per
 * channel, before its first append, and uses BatchAppend only if it is advertised. A real node
 * advertises every method it maps, BatchAppend included, so by default this server does too.
 */
import type * as grpc from '@grpc/grpc-js';
import type { Empty } from '@eventstore/db-client/generated/shared_pb.js';
import type { SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb.js';
import { serverFeaturesPb } from './generated.ts';
import type { Handlers } from './strict.ts';

/** The version reported to the client (it only logs it). */
export const SERVER_VERSION = '25.0.1-cnil-test-server';

/** @param paths the advertised methods, as gRPC paths (`/package.Service/Method`). */
export const serverFeaturesService = (paths: readonly string[]): Handlers => ({
  getSupportedMethods(
    _call: grpc.ServerUnaryCall<Empty, SupportedMethods>,
    callback: grpc.sendUnaryData<SupportedMethods>,
  ) {
    const supported = new serverFeaturesPb.SupportedMethods();
    for (const path of paths) {
      const [, serviceName = '', methodName = ''] = path.split('/');
      const method = new serverFeaturesPb.SupportedMethod();
      // The server reports lower-case names; the client compares them lower-cased.
      method.setServiceName(serviceName.toLowerCase());
      method.setMethodName(methodName.toLowerCase());
      supported.addMethods(method);
    }
    supported.setEventStoreServerVersion(SERVER_VERSION);
    callback(null, supported);
  },
});
