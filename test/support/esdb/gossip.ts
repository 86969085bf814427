/**
 * `event_store.client.gossip.Gossip/Read`: a single `esdb://host:port` connection never asks (the
 * client connects directly), but several hosts or `esdb+discover://` do. This node answers that it
 * is the cluster's only member, the leader, alive at the address the client reached.
 */
import { randomUUID } from 'node:crypto';
import type * as grpc from '@grpc/grpc-js';
import type { ClusterInfo } from '@eventstore/db-client/generated/gossip_pb.js';
import type { Empty } from '@eventstore/db-client/generated/shared_pb.js';
import { gossipPb, sharedPb } from './generated.ts';
import type { Handlers } from './strict.ts';

export const gossipService = (address: () => { host: string; port: number }): Handlers => {
  const instanceId = randomUUID();
  return {
    read(_call: grpc.ServerUnaryCall<Empty, ClusterInfo>, callback: grpc.sendUnaryData<ClusterInfo>) {
      const { host, port } = address();
      const endpoint = new gossipPb.EndPoint();
      endpoint.setAddress(host);
      endpoint.setPort(port);
      const id = new sharedPb.UUID();
      id.setString(instanceId);
      const member = new gossipPb.MemberInfo();
      member.setInstanceId(id);
      member.setTimeStamp((BigInt(Date.now()) * 10_000n).toString());
      member.setState(gossipPb.MemberInfo.VNodeState.LEADER);
      member.setIsAlive(true);
      member.setHttpEndPoint(endpoint);
      const info = new gossipPb.ClusterInfo();
      info.addMembers(member);
      callback(null, info);
    },
  };
};
