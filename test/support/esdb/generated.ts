/**
 * The gRPC service definitions and messages shipped by `@eventstore/db-client` (its `generated/`
 * directory: grpc-js stubs and google-protobuf classes). The test server is built on exactly what the
 * client under test serialises, so a client upgrade that changes the protocol shows up here.
 *
 * They are CommonJS modules that register themselves in google-protobuf's global namespace: load them
 * only in the test server's own process (see notes/eventstoredb-protocol.md, "namespace clash").
 */
import { createRequire } from 'node:module';
import type * as CodePb from '@eventstore/db-client/generated/code_pb.js';
import type * as AnyPb from 'google-protobuf/google/protobuf/any_pb.js';
import type * as EmptyPb from 'google-protobuf/google/protobuf/empty_pb.js';
import type * as GossipGrpc from '@eventstore/db-client/generated/gossip_grpc_pb.js';
import type * as GossipPb from '@eventstore/db-client/generated/gossip_pb.js';
import type * as ServerFeaturesGrpc from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js';
import type * as ServerFeaturesPb from '@eventstore/db-client/generated/serverfeatures_pb.js';
import type * as SharedPb from '@eventstore/db-client/generated/shared_pb.js';
import type * as StatusPb from '@eventstore/db-client/generated/status_pb.js';
import type * as StreamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb.js';
import type * as StreamsPb from '@eventstore/db-client/generated/streams_pb.js';

const require = createRequire(import.meta.url);
const generated = (name: string): unknown => require(`@eventstore/db-client/generated/${name}.js`);

export const streamsGrpc = generated('streams_grpc_pb') as typeof StreamsGrpc;
export const streamsPb = generated('streams_pb') as typeof StreamsPb;
export const sharedPb = generated('shared_pb') as typeof SharedPb;
export const codePb = generated('code_pb') as typeof CodePb;
export const statusPb = generated('status_pb') as typeof StatusPb;
export const serverFeaturesGrpc = generated('serverfeatures_grpc_pb') as typeof ServerFeaturesGrpc;
export const serverFeaturesPb = generated('serverfeatures_pb') as typeof ServerFeaturesPb;
export const gossipGrpc = generated('gossip_grpc_pb') as typeof GossipGrpc;
export const gossipPb = generated('gossip_pb') as typeof GossipPb;
export const anyPb = require('google-protobuf/google/protobuf/any_pb.js') as typeof AnyPb;
export const emptyPb = require('google-protobuf/google/protobuf/empty_pb.js') as typeof EmptyPb;

/** Every service definition the package ships that a client may call on a node's client port. */
export const clientServices = (): Record<string, unknown>[] =>
  [
    'streams',
    'serverfeatures',
    'gossip',
    'projections',
    'persistent',
    'operations',
    'users',
    'monitoring',
  ].map((name) => generated(`${name}_grpc_pb`) as Record<string, unknown>);
