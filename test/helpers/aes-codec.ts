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
  /**
   * Set to behave like Linux's async encryptor when the Secret Service is
   * unreachable: it falls back to a built-in key and marks ciphers `v10`
   * (keyring ciphers are `v11`), while the backend still names the keyring.
   */
  silentFallback = false;
  /** How often availability was asked (it may start a keyring prompt). */
  availabilityChecks = 0;
  keyringProtected(cipher: Buffer): boolean {
    return cipher.subarray(0, 3).toString('latin1') === 'v11';
  }
  isEncryptionAvailable(): Promise<boolean> {
    this.availabilityChecks++;
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
    return Buffer.concat([Buffer.from(this.silentFallback ? 'v10' : 'v11', 'latin1'), iv, cipher.getAuthTag(), body]);
  }
  private decryptNow(data: Buffer): string {
    if (!this.available) throw new Error('encryption unavailable');
    const body = data.subarray(3);
    const decipher = createDecipheriv('aes-256-gcm', this.key, body.subarray(0, 12));
    decipher.setAuthTag(body.subarray(12, 28));
    return Buffer.concat([decipher.update(body.subarray(28)), decipher.final()]).toString('utf8');
  }
}
