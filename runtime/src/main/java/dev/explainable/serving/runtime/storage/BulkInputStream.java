package dev.explainable.serving.runtime.storage;

import java.io.IOException;
import java.io.InputStream;

/** A stream that reads in bulk only: its one-byte {@link #read()} is a bulk read of one byte. */
abstract class BulkInputStream extends InputStream {

    @Override
    public final int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public abstract int read(byte[] b, int off, int len) throws IOException;
}
