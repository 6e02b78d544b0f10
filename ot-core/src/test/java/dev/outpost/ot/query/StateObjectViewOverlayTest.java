package dev.outpost.ot.query;

import dev.outpost.ot.state.ObjectData;
import dev.outpost.ot.state.Value;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link StateObjectView#wrap(ObjectData, String[], Value[], int)}: the overlaid fields win, the rest read through. */
class StateObjectViewOverlayTest
{
    @Test
    void shouldReadOverlaidFieldsFirstAndForgetThemOnPlainWrap()
    {
        final ObjectData o = new ObjectData("Item");
        o.fields().put("owner_id", new Value.Str("user-7"));
        o.fields().put("n", new Value.Int(3));
        final Value.ListValue tags = new Value.ListValue();
        tags.items().addAll(List.of(new Value.Str("a"), new Value.Str("b")));
        o.fields().put("tags", tags);
        final StateObjectView v = new StateObjectView();

        v.wrap(o, new String[] {"n", "owner_id"}, new Value[] {new Value.Int(9), Value.Null.INSTANCE}, 1);
        assertThat(v.intValue("n", ObjectView.SCALAR)).isEqualTo(9);
        assertThat(v.stringValue("owner_id", ObjectView.SCALAR)).isEqualTo("user-7"); // beyond size: not overlaid
        assertThat(v.elementCount("tags")).isEqualTo(2);
        assertThat(v.stringValue("tags", 1)).isEqualTo("b");
        assertThat(v.elementCount("missing")).isEqualTo(ObjectView.ABSENT);

        v.wrap(o);
        assertThat(v.intValue("n", ObjectView.SCALAR)).isEqualTo(3);
        assertThat(o.get("n")).isEqualTo(new Value.Int(3)); // the object itself is never written
    }
}
