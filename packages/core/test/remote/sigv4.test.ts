// SigV4 against the worked examples of AWS's S3 documentation ("Signature Calculations for the
// Authorization Header"): same inputs, the published signatures.
import { describe, expect, it } from 'vitest';
import { parseListPage, xmlText } from '../../src/cache/remote/s3-xml.ts';
import { canonicalQuery, EMPTY_SHA256, signRequest, uriEncode } from '../../src/cache/remote/sigv4.ts';

const credentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
const date = new Date('2013-05-24T00:00:00Z');
const signature = (headers: { [name: string]: string }) =>
  /Signature=([0-9a-f]{64})/.exec(headers.authorization ?? '')?.[1];

describe('SigV4 for S3', () => {
  it('signs GET Object with a Range header as the AWS example does', () => {
    const headers = signRequest({
      method: 'GET',
      path: '/test.txt',
      query: {},
      headers: { range: 'bytes=0-9' },
      host: 'examplebucket.s3.amazonaws.com',
      region: 'us-east-1',
      payloadHash: EMPTY_SHA256,
      credentials,
      date,
    });
    expect(headers.authorization).toContain(
      'Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,',
    );
    expect(signature(headers)).toBe('f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41');
  });

  it('signs a bucket listing with sorted, encoded query parameters as the AWS example does', () => {
    const headers = signRequest({
      method: 'GET',
      path: '/',
      query: { prefix: 'J', 'max-keys': '2' },
      headers: {},
      host: 'examplebucket.s3.amazonaws.com',
      region: 'us-east-1',
      payloadHash: EMPTY_SHA256,
      credentials,
      date,
    });
    expect(signature(headers)).toBe('34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7');
  });

  it('adds the session token of temporary credentials as a signed header', () => {
    const headers = signRequest({
      method: 'HEAD',
      path: '/b/k',
      query: {},
      headers: {},
      host: 'localhost:1',
      region: 'us-east-1',
      payloadHash: EMPTY_SHA256,
      credentials: { ...credentials, sessionToken: 'tok' },
      date,
    });
    expect(headers['x-amz-security-token']).toBe('tok');
    expect(headers.authorization).toContain('x-amz-security-token');
  });

  it('encodes as RFC 3986 wants (what encodeURIComponent leaves alone too)', () => {
    expect(uriEncode("a b!'()*~/x")).toBe('a%20b%21%27%28%29%2A~%2Fx');
    expect(uriEncode('a/b c', true)).toBe('a/b%20c');
    expect(canonicalQuery({ b: '1', a: 'x y', 'continuation-token': 'a/b=' })).toBe(
      'a=x%20y&b=1&continuation-token=a%2Fb%3D',
    );
  });
});

describe('S3 XML answers', () => {
  it('reads a ListObjectsV2 page: keys decoded, sizes, the continuation token', () => {
    const page = parseListPage(
      '<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>a&amp;b/c.json</Key><Size>12</Size></Contents><Contents><Key>d</Key><Size>0</Size></Contents><NextContinuationToken>t&lt;1</NextContinuationToken></ListBucketResult>',
    );
    expect(page).toEqual({
      objects: [
        { key: 'a&b/c.json', size: 12 },
        { key: 'd', size: 0 },
      ],
      next: 't<1',
    });
    expect(parseListPage('<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>')).toEqual({
      objects: [],
      next: undefined,
    });
    expect(xmlText('&#x41;&#66;&quot;')).toBe('AB"');
  });
});
