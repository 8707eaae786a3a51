// This device's copies of the answer, one per draft key, under
// "<storage key>:<draft key>" in localStorage: what a reload, a closed tab, a network drop or a
// server restart must not lose. Storage can be full or switched off: then every call says so
// (write returns false) and the page works on without copies.

function local() {
  try {
    return window.localStorage;
  } catch (e) {
    return null; // switched off: reading the property throws
  }
}

export class DeviceCopies {
  constructor(prefix, storage = local()) {
    this.prefix = prefix;
    this.storage = storage;
  }

  nameFor(key) {
    return this.prefix + ":" + key;
  }

  // Every copy kept for this question, as {name, copy}; copies an older page kept (without a
  // key) are listed too, so they can be offered back.
  all() {
    const found = [];
    try {
      for (let i = 0; i < this.storage.length; i += 1) {
        const name = this.storage.key(i);
        if (name !== this.prefix && !name.startsWith(this.prefix + ":")) continue;
        const copy = this.read(name);
        if (copy && typeof copy.text === "string") found.push({ name: name, copy: copy });
      }
    } catch (e) {
      /* no storage: nothing kept */
    }
    return found;
  }

  read(name) {
    try {
      return JSON.parse(this.storage.getItem(name) || "null");
    } catch (e) {
      return null;
    }
  }

  write(key, copy) {
    try {
      this.storage.setItem(this.nameFor(key), JSON.stringify(copy));
      return true;
    } catch (e) {
      return false;
    }
  }

  forget(name) {
    try {
      this.storage.removeItem(name);
    } catch (e) {
      /* nothing to forget */
    }
  }
}
