package dev.explainable.serving.runtime.api.description;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;

import com.fasterxml.jackson.annotation.JsonRawValue;

import dev.explainable.serving.runtime.api.errors.ApiException;
import dev.explainable.serving.runtime.examples.ExampleLines;
import dev.explainable.serving.runtime.service.ExampleNeighbors;
import dev.explainable.serving.runtime.service.ModelHost;

/**
 * One example of the served model's example set, as its line gave it, for the page to show beside a neighbour: its
 * feature values, or its image. Behind the same caller check as the model's description ({@code get}); 404 where the
 * model has no example set, the id is not in it, or the set's lines were not kept ({@code explain.examples.max-kept-bytes}).
 */
@Path("/runtime/model/examples/{id}")
public class ExamplesResource {

    /** An example and its id: the line as kept, written as it is (it was parsed as JSON when the set was read). */
    public record Example(String id, @JsonRawValue String example) {}

    private final ModelHost models;

    public ExamplesResource(ModelHost models) {
        this.models = models;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "An example of the example set (runtime-specific)",
            description = "The line of the example set with this id (the instance's fields beside its id), for a"
                    + " model that explains by example and keeps its lines.")
    public Example example(@PathParam("id") String id) {
        ExampleNeighbors examples = models.ready().pipeline().examples();
        if (examples == null) {
            throw new ApiException(404, "this model has no example set");
        }
        if (id.length() > ExampleLines.MAX_ID_LENGTH) {
            throw new ApiException(404, "no example has an id that long");
        }
        if (!examples.set().report().linesKept()) {
            throw new ApiException(404, "the example set's lines are not kept (explain.examples.max-kept-bytes)");
        }
        String line = examples.set().line(id);
        if (line == null) {
            throw new ApiException(404, "no example of the set has this id");
        }
        return new Example(id, line);
    }
}
