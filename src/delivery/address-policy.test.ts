import { describe, expect, it } from "vitest";
import { forbiddenAddress, forbiddenHost } from "./address-policy.js";

describe("forbiddenAddress", () => {
  it.each([
    ["127.0.0.1", "a loopback address"],
    ["127.255.255.254", "a loopback address"],
    ["0.0.0.0", "an unspecified address"],
    ["10.1.2.3", "a private address (RFC 1918)"],
    ["172.16.0.1", "a private address (RFC 1918)"],
    ["172.31.255.255", "a private address (RFC 1918)"],
    ["192.168.1.1", "a private address (RFC 1918)"],
    ["100.64.0.1", "a shared address (CGNAT, RFC 6598)"],
    // Alibaba Cloud's metadata service lies in the CGNAT range.
    ["100.100.100.200", "a shared address (CGNAT, RFC 6598)"],
    ["169.254.169.254", "a link-local address (cloud metadata)"],
    ["192.0.0.192", "an IETF protocol address"],
    ["224.0.0.1", "a multicast address"],
    ["255.255.255.255", "a reserved or broadcast address"],
    ["::", "an unspecified, loopback or IPv4-compatible address"],
    ["::1", "an unspecified, loopback or IPv4-compatible address"],
    ["::7f00:1", "an unspecified, loopback or IPv4-compatible address"],
    ["fe80::1", "a link-local address"],
    ["fe80::1%eth0", "a link-local address"],
    ["example.com", "not an IP address"],
    ["fd00:ec2::254", "a unique local address (ULA)"],
    ["fc00::1", "a unique local address (ULA)"],
    ["ff02::1", "a multicast address"],
    // IPv4-mapped, NAT64 and 6to4 forms carry the IPv4 address they reach.
    ["::ffff:127.0.0.1", "a loopback address"],
    ["::ffff:7f00:1", "a loopback address"],
    ["::ffff:a9fe:a9fe", "a link-local address (cloud metadata)"],
    ["64:ff9b::a00:1", "a private address (RFC 1918)"],
    ["2002:c0a8:101::1", "a private address (RFC 1918)"],
  ])("refuses %s as %s", (address, reason) => {
    expect(forbiddenAddress(address)).toBe(reason);
  });

  it.each([
    "8.8.8.8",
    "172.32.0.1",
    "100.128.0.1",
    "169.255.0.1",
    "2606:4700:4700::1111",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
  ])("allows the public address %s", (address) => {
    expect(forbiddenAddress(address)).toBeNull();
  });
});

describe("forbiddenHost", () => {
  it.each([
    ["http://2130706433/hook", "a loopback address"],
    ["http://0x7f.1/", "a loopback address"],
    ["http://0.0.0.0:8000/", "an unspecified address"],
    ["http://[::1]:22/", "an unspecified, loopback or IPv4-compatible address"],
    ["http://[::ffff:169.254.169.254]/latest/meta-data/", "a link-local address (cloud metadata)"],
    ["http://169.254.169.254/latest/meta-data/", "a link-local address (cloud metadata)"],
    ["http://localhost:8080/", "this machine or a metadata service"],
    ["http://LocalHost./", "this machine or a metadata service"],
    ["http://api.localhost/", "this machine or a metadata service"],
    ["http://metadata.google.internal/computeMetadata/v1/", "this machine or a metadata service"],
  ])("refuses %s when a definition is saved", (url, reason) => {
    expect(forbiddenHost(new URL(url))).toBe(reason);
  });

  it("leaves other names to the check of their address at delivery", () => {
    expect(forbiddenHost(new URL("https://hooks.slack.com/services/T000/B000"))).toBeNull();
    expect(forbiddenHost(new URL("https://localhost.example.com/"))).toBeNull();
  });
});
