/**
 * The few S3 XML answers serx reads (ListObjectsV2 and error bodies): flat elements, read with a
 * pattern rather than an XML library (none is among serx's dependencies).
 */

const ENTITIES: { [name: string]: string } = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function xmlText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
    return ENTITIES[name] ?? whole;
  });
}

/** The text of the first `<tag>` in `xml`, decoded; undefined if there is none. */
export function xmlElement(xml: string, tag: string): string | undefined {
  const match = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
  return match ? xmlText(match[1] as string) : undefined;
}

export interface ListedObject {
  key: string;
  size: number;
}

export interface ListPage {
  objects: ListedObject[];
  /** Set when the listing goes on (`IsTruncated`). */
  next: string | undefined;
}

/** A `ListBucketResult` page of ListObjectsV2. */
export function parseListPage(xml: string): ListPage {
  const objects: ListedObject[] = [];
  for (const match of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
    const body = match[1] as string;
    const key = xmlElement(body, 'Key');
    if (key !== undefined) objects.push({ key, size: Number(xmlElement(body, 'Size') ?? 0) });
  }
  const truncated = xmlElement(xml, 'IsTruncated') === 'true';
  return { objects, next: truncated ? xmlElement(xml, 'NextContinuationToken') : undefined };
}

/** `Code: Message` of an S3 error body, or a short excerpt of a body that is not one. */
export function describeErrorBody(body: string): string {
  const code = xmlElement(body, 'Code');
  if (code) return `${code}${xmlElement(body, 'Message') ? `: ${xmlElement(body, 'Message')}` : ''}`;
  const text = body.replace(/\s+/g, ' ').trim();
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
