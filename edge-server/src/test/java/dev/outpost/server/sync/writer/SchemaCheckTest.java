package dev.outpost.server.sync.writer;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.server.config.SyncSettings;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

public class SchemaCheckTest
{
    public static SyncSettings settings(final boolean developmentMode, final List<String> asymmetric)
    {
        final Map<String, String> item = new LinkedHashMap<>();
        item.put("_id", "objectId");
        item.put("name", "string");
        item.put("size", "long");
        item.put("tags", "array<string>");
        item.put("owner", "objectId");
        item.put("address", "object");
        final Map<String, String> event = Map.of("_id", "objectId", "kind", "string");
        return new SyncSettings(SyncSettings.Mode.FLEXIBLE, true, developmentMode, List.of(), Map.of(), List.of(),
            asymmetric, 0, false, null, null, Map.of(
                "Item", new SyncSettings.ClassSchema("Item", "db", "Item", item, List.of("_id", "name")),
                "Person", new SyncSettings.ClassSchema("Person", "db", "Person", Map.of("_id", "objectId"),
                    List.of("_id")),
                "Event", new SyncSettings.ClassSchema("Event", "db", "Event", event, List.of("_id"))));
    }

    private static final SchemaCheck CHECK = SchemaCheck.of(settings(false, List.of("Event")));

    private static String refusal(final ChangesetBuilder b)
    {
        return CHECK.refusal(b.changeset(), new ObjectState());
    }

    private static ChangesetBuilder item()
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_OBJECT_ID, false);
        return b;
    }

    @Test
    void shouldCheckNothingInDevelopmentModeOrWithoutSchemas()
    {
        assertThat(SchemaCheck.of(null)).isNull();
        assertThat(SchemaCheck.of(settings(true, List.of()))).isNull();
        assertThat(SchemaCheck.of(settings(false, List.of()).withSchemas(Map.of()))).isNull();
    }

    @Test
    void shouldPassASubsetOfTheSchemaInAnyOrder()
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        b.addColumn("Item", "tags", Instr.TYPE_STRING, false, Instr.COLLECTION_LIST, null, 0);
        b.addTable("Person", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_OBJECT_ID, false);
        b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_OBJECT_ID, false);
        b.addColumn("Item", "name", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "size", Instr.TYPE_INT, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "owner", Instr.TYPE_LINK, true, Instr.COLLECTION_SINGLE, "Person", 0);
        b.addTable("Address", Instr.TABLE_EMBEDDED, null, 0, false);
        b.addColumn("Address", "street", Instr.TYPE_STRING, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "address", Instr.TYPE_LINK, true, Instr.COLLECTION_SINGLE, "Address", 0);
        b.addTable("Event", Instr.TABLE_TOP_LEVEL_ASYMMETRIC, "_id", Instr.TYPE_OBJECT_ID, false);
        b.createObject("Item", new dev.outpost.ot.state.Value.ObjectIdValue(new byte[12]));
        assertThat(refusal(b)).isNull();
    }

    @Test
    void shouldRefuseAClassOrPropertyTheSchemaLacks()
    {
        final ChangesetBuilder cls = new ChangesetBuilder();
        cls.addTable("Note", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_OBJECT_ID, false);
        assertThat(refusal(cls)).contains("class 'Note' is not in the schema");
        final ChangesetBuilder prop = item();
        prop.addColumn("Item", "color", Instr.TYPE_STRING, true, Instr.COLLECTION_SINGLE, null, 0);
        assertThat(refusal(prop)).contains("'Item.color' is not in the schema");
    }

    @Test
    void shouldRefuseAnotherTypeNullabilityCollectionOrLinkTarget()
    {
        final ChangesetBuilder type = item();
        type.addColumn("Item", "name", Instr.TYPE_INT, false, Instr.COLLECTION_SINGLE, null, 0);
        assertThat(refusal(type)).contains("'Item.name' is string in the schema");
        final ChangesetBuilder optional = item();
        optional.addColumn("Item", "name", Instr.TYPE_STRING, true, Instr.COLLECTION_SINGLE, null, 0);
        assertThat(refusal(optional)).contains("optional in the client's schema but required");
        final ChangesetBuilder list = item();
        list.addColumn("Item", "name", Instr.TYPE_STRING, false, Instr.COLLECTION_LIST, null, 0);
        assertThat(refusal(list)).contains("'Item.name'");
        final ChangesetBuilder target = item();
        target.addColumn("Item", "owner", Instr.TYPE_LINK, true, Instr.COLLECTION_SINGLE, "Address", 0);
        assertThat(refusal(target)).contains("'Item.owner' is objectId");
        final ChangesetBuilder pk = new ChangesetBuilder();
        pk.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_STRING, false);
        assertThat(refusal(pk)).contains("primary key 'Item._id' is objectId");
    }

    @Test
    void shouldRefuseErasuresAndAsymmetryOnOneSide()
    {
        final ChangesetBuilder erase = new ChangesetBuilder();
        erase.eraseColumn("Item", "size");
        assertThat(refusal(erase)).contains("removing property 'Item.size'");
        final ChangesetBuilder eraseTable = new ChangesetBuilder();
        eraseTable.eraseTable("Item");
        assertThat(refusal(eraseTable)).contains("removing class 'Item'");
        final ChangesetBuilder notAsymmetric = new ChangesetBuilder();
        notAsymmetric.addTable("Event", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_OBJECT_ID, false);
        assertThat(refusal(notAsymmetric)).contains("asymmetric_tables");
        final ChangesetBuilder asymmetric = new ChangesetBuilder();
        asymmetric.addTable("Item", Instr.TABLE_TOP_LEVEL_ASYMMETRIC, "_id", Instr.TYPE_OBJECT_ID, false);
        assertThat(refusal(asymmetric)).contains("asymmetric");
    }

    @Test
    void shouldMapBsonTypesToRealmColumnTypes()
    {
        assertThat(SchemaCheck.realmType("string")).isEqualTo(Instr.TYPE_STRING);
        assertThat(SchemaCheck.realmType("long")).isEqualTo(Instr.TYPE_INT);
        assertThat(SchemaCheck.realmType("int")).isEqualTo(Instr.TYPE_INT);
        assertThat(SchemaCheck.realmType("date")).isEqualTo(Instr.TYPE_TIMESTAMP);
        assertThat(SchemaCheck.realmType("decimal")).isEqualTo(Instr.TYPE_DECIMAL);
        assertThat(SchemaCheck.realmType("uuid")).isEqualTo(Instr.TYPE_UUID);
        assertThat(SchemaCheck.realmType("binData")).isEqualTo(Instr.TYPE_BINARY);
        assertThat(SchemaCheck.realmType("regex")).isEqualTo(Integer.MIN_VALUE);
    }
}
