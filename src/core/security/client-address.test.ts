import { addressBucket } from './client-address';

describe('addressBucket', () => {
  it('groups IPv6 addresses by /64, IPv4-mapped addresses with IPv4, and every loopback address together', () => {
    expect(addressBucket('2001:db8:1:2:3:4:5:6')).toBe(addressBucket('2001:DB8:1:2::9'));
    expect(addressBucket('2001:db8:1:2::1')).not.toBe(addressBucket('2001:db8:1:3::1'));
    expect(addressBucket('::ffff:192.0.2.7')).toBe(addressBucket('192.0.2.7'));
    expect(new Set(['::1', '127.0.0.1', '::ffff:127.0.0.1', '127.0.0.2', '0:0:0:0:0:0:0:1', '[::1]'].map(addressBucket))).toEqual(new Set(['loopback']));
    expect(addressBucket('192.0.2.7')).not.toBe(addressBucket('192.0.2.8'));
  });

  it('keeps what it cannot read apart from addresses, and bounded', () => {
    expect(addressBucket(undefined)).toBe('unknown');
    expect(addressBucket('not-an-address')).toBe('other:not-an-address');
    expect(addressBucket('x'.repeat(500))).toHaveLength('other:'.length + 100);
  });
});
