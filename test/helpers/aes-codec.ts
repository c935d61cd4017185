import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretCodec } from '../../src/main/settings-store';

/** A real reversible codec (AES-256-GCM), standing in for Electron's async safeStorage API. */
export class AesCodec implements SecretCodec {
  constructor(
    private readonly backendName = 'gnome_libsecret',
    private readonly available = true,
    private readonly key = randomBytes(32),
  ) {}
  /** Set to make the next decrypt report a rotated key (`shouldReEncrypt`), as safeStorage can. */
  rotated = false;
  isEncryptionAvailable(): Promise<boolean> {
    return Promise.resolve(this.available);
  }
  backend(): string {
    return this.backendName;
  }
  encrypt(plain: string): Promise<Buffer> {
    return Promise.resolve().then(() => this.encryptNow(plain));
  }
  decrypt(data: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }> {
    return Promise.resolve().then(() => ({ result: this.decryptNow(data), shouldReEncrypt: this.rotated }));
  }
  private encryptNow(plain: string): Buffer {
    if (!this.available) throw new Error('encryption unavailable');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }
  private decryptNow(data: Buffer): string {
    if (!this.available) throw new Error('encryption unavailable');
    const decipher = createDecipheriv('aes-256-gcm', this.key, data.subarray(0, 12));
    decipher.setAuthTag(data.subarray(12, 28));
    return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
  }
}
