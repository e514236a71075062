package dev.explainable.serving.runtime.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A folder's objects as its listing streams them in, refused the moment they pass explain.storage.max-objects or,
 * by their listed sizes, explain.storage.max-bytes: a URI at the top of a bucket of a million objects is refused
 * after one page more than the limit, holding no more than the limit's objects, instead of collecting the whole
 * listing first.
 */
final class Listing implements Consumer<StoredObject> {

    private final Budget budget;
    private final List<StoredObject> objects = new ArrayList<>();
    private long bytes;

    Listing(Budget budget) {
        this.budget = budget;
    }

    /** Takes the next listed object; throws (which ends the listing) when it passes a limit or the deadline. */
    @Override
    public void accept(StoredObject o) {
        budget.checkTime();
        budget.checkListing(bytes + o.size(), objects.size() + 1);
        objects.add(o);
        bytes += o.size();
    }

    List<StoredObject> objects() {
        return objects;
    }
}
