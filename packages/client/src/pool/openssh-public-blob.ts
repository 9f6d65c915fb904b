// An OpenSSH-format private key ("openssh-key-v1") stores its public key in the clear ahead of the
// (possibly encrypted) private part, which is how ssh matches an encrypted key file to an agent key
// without a `.pub` beside it (PROTOCOL.key).

const BEGIN = '-----BEGIN OPENSSH PRIVATE KEY-----';
const END = '-----END OPENSSH PRIVATE KEY-----';
const MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');

/** The first public key blob of an OpenSSH private key file; undefined for any other format. */
export function opensshPublicBlob(text: string): Buffer | undefined {
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (begin === -1 || end < begin) return undefined;
  const data = Buffer.from(text.slice(begin + BEGIN.length, end).replace(/\s+/g, ''), 'base64');
  if (!data.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  let offset = MAGIC.length;
  const readString = (): Buffer | undefined => {
    if (offset + 4 > data.length) return undefined;
    const length = data.readUInt32BE(offset);
    if (offset + 4 + length > data.length) return undefined;
    const value = data.subarray(offset + 4, offset + 4 + length);
    offset += 4 + length;
    return value;
  };
  // ciphername, kdfname, kdfoptions
  for (let i = 0; i < 3; i++) if (readString() === undefined) return undefined;
  if (offset + 4 > data.length || data.readUInt32BE(offset) < 1) return undefined;
  offset += 4;
  const blob = readString();
  return blob === undefined || blob.length === 0 ? undefined : Buffer.from(blob);
}
