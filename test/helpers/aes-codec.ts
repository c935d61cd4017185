import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretCodec } from '../../src/main/settings-store';

/** A real reversible codec (AES-256-GCM), standing in for Electron's safeStorage. */
export class AesCodec implements SecretCodec {
  constructor(
    private readonly backendName = 'gnome_libsecret',
    private readonly available = true,
    private readonly key = randomBytes(32),
  ) {}
  isEncryptionAvailable(): boolean {
    return this.available;
  }
  backend(): string {
    return this.backendName;
  }
  encrypt(plain: string): Buffer {
    if (!this.available) throw new Error('encryption unavailable');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }
  decrypt(data: Buffer): string {
    if (!this.available) throw new Error('encryption unavailable');
    const decipher = createDecipheriv('aes-256-gcm', this.key, data.subarray(0, 12));
    decipher.setAuthTag(data.subarray(12, 28));
    return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
  }
}
