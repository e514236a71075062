package dev.explainable.serving.operator.management;

import java.util.List;

/**
 * A list call's {@code pageSize} (default 100, at most 1000) and {@code pageToken} (the offset this API handed out,
 * as text): gcloud follows {@code nextPageToken} until there is none.
 */
public record Paging(int size, int offset) {

    public static Paging of(String pageSize, String pageToken) {
        int size = 100;
        if (pageSize != null && !pageSize.isEmpty()) {
            if (!pageSize.matches("\\d{1,9}")) {
                throw GoogleError.invalid("pageSize must be a number");
            }
            int asked = Integer.parseInt(pageSize);
            size = asked == 0 ? 100 : Math.min(1000, asked); // 0: the server's default, as Google's APIs read it
        }
        int offset = 0;
        if (pageToken != null && !pageToken.isEmpty()) {
            if (!pageToken.matches("\\d{1,9}")) {
                throw GoogleError.invalid("pageToken is not one this API gave");
            }
            offset = Integer.parseInt(pageToken);
        }
        return new Paging(size, offset);
    }

    public <T> List<T> page(List<T> all) {
        return offset >= all.size() ? List.of() : all.subList(offset, Math.min(all.size(), offset + size));
    }

    /** The token of the next page, or null at the end. */
    public String next(int total) {
        return offset + size < total ? String.valueOf(offset + size) : null;
    }
}
