/**
 * `safeStorage` (https://www.electronjs.org/docs/latest/api/safe-storage),
 * synchronous and asynchronous API: real AES-256-GCM, with the key in an
 * emulated keyring file beside the profile (never in the data it encrypts),
 * so a token stored by one launch decrypts on the next and settings.json
 * never holds it in clear. The Linux backend is 'gnome_libsecret' unless
 * FALCON_EMU_STORAGE_BACKEND says otherwise (e.g. 'basic_text'); before
 * ready it is 'unknown' and encryption is unavailable, as on Linux.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { app } from './app';
import { launch } from './runtime';

const PREFIX = Buffer.from('v11');
const keyFile = join(launch.userData, 'emulated-keyring.key');
const backend = process.env.FALCON_EMU_STORAGE_BACKEND ?? 'gnome_libsecret';

function key(): Buffer {
  if (!existsSync(keyFile)) {
    mkdirSync(launch.userData, { recursive: true });
    writeFileSync(keyFile, randomBytes(32), { mode: 0o600 });
  }
  return readFileSync(keyFile);
}

function available(): boolean {
  return app.isReady() && backend !== 'unknown';
}

function encrypt(plain: string): Buffer {
  if (!available())
    throw new Error(
      'Error while encrypting the text provided to safeStorage.encryptString. Encryption is not available.',
    );
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key(), iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return Buffer.concat([PREFIX, iv, cipher.getAuthTag(), body]);
}

function decrypt(data: Buffer): string {
  if (!available())
    throw new Error(
      'Error while decrypting the ciphertext provided to safeStorage.decryptString. Decryption is not available.',
    );
  if (!data.subarray(0, 3).equals(PREFIX))
    throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
  const decipher = createDecipheriv('aes-256-gcm', key(), data.subarray(3, 15));
  decipher.setAuthTag(data.subarray(15, 31));
  return Buffer.concat([decipher.update(data.subarray(31)), decipher.final()]).toString('utf8');
}

export const safeStorage = {
  isEncryptionAvailable: available,
  getSelectedStorageBackend: () => (app.isReady() ? backend : 'unknown'),
  encryptString: encrypt,
  decryptString: decrypt,
  isAsyncEncryptionAvailable: () => Promise.resolve(available()),
  encryptStringAsync: (plain: string) => Promise.resolve().then(() => encrypt(plain)),
  decryptStringAsync: (data: Buffer) =>
    Promise.resolve().then(() => ({ result: decrypt(data), shouldReEncrypt: false })),
  setUsePlainTextEncryption(): void {},
};
