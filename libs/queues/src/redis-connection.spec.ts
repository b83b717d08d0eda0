import { hostPortList } from '@app/config';
import { bullPrefix, redisSettingsFrom } from './redis-connection.js';

describe('Redis settings', () => {
  const base = { REDIS_URL: 'redis://:pw@10.0.0.1:6379/2', REDIS_PREFIX: 'wecom' };

  it('reads Sentinels and Cluster nodes as host:port lists, and refuses anything else', () => {
    expect(hostPortList()('10.0.0.5:26379, sentinel-b:26379,[::1]:7000')).toEqual([
      { host: '10.0.0.5', port: 26379 },
      { host: 'sentinel-b', port: 26379 },
      { host: '::1', port: 7000 },
    ]);
    expect(hostPortList()(undefined)).toEqual([]);
    expect(() => hostPortList()('10.0.0.5')).toThrow('must list host:port pairs');
    expect(() => hostPortList()('10.0.0.5:0')).toThrow('must list host:port pairs');
  });

  it('picks one topology and says which variables clash', () => {
    const node = [{ host: 'a', port: 1 }];
    expect(redisSettingsFrom(base)).toEqual({ url: base.REDIS_URL, prefix: 'wecom', allowEviction: false });
    expect(redisSettingsFrom({ ...base, REDIS_SENTINELS: node, REDIS_SENTINEL_NAME: 'm' })).toMatchObject({ sentinels: node, sentinelName: 'm' });
    expect(redisSettingsFrom({ ...base, REDIS_CLUSTER_NODES: node })).toMatchObject({ clusterNodes: node });
    expect(() => redisSettingsFrom({ ...base, REDIS_SENTINELS: node, REDIS_SENTINEL_NAME: 'm', REDIS_CLUSTER_NODES: node })).toThrow('not both');
    expect(() => redisSettingsFrom({ ...base, REDIS_SENTINELS: node })).toThrow('REDIS_SENTINEL_NAME');
    expect(() => redisSettingsFrom({ ...base, REDIS_SENTINEL_NAME: 'm' })).toThrow('needs REDIS_SENTINELS');
  });

  it('hash-tags the BullMQ prefix on a Cluster only (each queue in one slot; single-node keys unchanged)', () => {
    expect(bullPrefix({ prefix: 'wecom' })).toBe('wecom:bull');
    expect(bullPrefix({ prefix: 'wecom', clusterNodes: [{ host: 'a', port: 1 }] })).toBe('{wecom:bull}');
  });
});
