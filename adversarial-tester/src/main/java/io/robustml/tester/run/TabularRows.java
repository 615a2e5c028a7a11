package io.robustml.tester.run;

import io.robustml.oip.data.LabelledImages;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.ParquetDecodingException;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Labelled rows of a tabular dataset file, in the file's order: a CSV file with a header row (Apache Commons CSV) or
 * a Parquet file (Apache Parquet's reader; every compression codec it ships). The label is the column
 * {@code rollout.analysis.labelColumn} (a class index or a name from {@code model.labels}); the features are the
 * columns named by {@code model.input.features}, in that order (none named: every other column, in the file's
 * order). Values are read as they are, in the model's units. Errors name the file, the row and the column.
 */
final class TabularRows {
    private TabularRows() {
    }

    static boolean isOne(Path file) {
        String name = file.getFileName().toString();
        return Files.isRegularFile(file) && (name.endsWith(".csv") || name.endsWith(".parquet"));
    }

    /** At most {@code wanted} rows of {@code n} features. */
    static LabelledImages read(Path file, int wanted, int n, EvaluationData.Columns columns) throws IOException {
        Rows rows = new Rows(file, wanted, n, columns);
        if (file.getFileName().toString().endsWith(".parquet")) {
            parquet(file, rows);
        } else {
            csv(file, rows);
        }
        return rows.labelled();
    }

    private static void csv(Path file, Rows rows) throws IOException {
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true)
                .setIgnoreEmptyLines(true).get();
        try (Reader reader = Files.newBufferedReader(file); CSVParser parser = format.parse(reader)) {
            rows.header(parser.getHeaderNames());
            for (CSVRecord record : parser) {
                if (rows.full()) {
                    break;
                }
                String where = "line " + parser.getCurrentLineNumber();
                rows.add(column -> record.isSet(column) ? record.get(column) : "", where);
            }
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
            throw new IOException(file + ": not a CSV file with a header row: " + e.getMessage(), e);
        }
    }

    /** Reads through Parquet's local-file input, so no Hadoop file system is involved. */
    private static void parquet(Path file, Rows rows) throws IOException {
        try (ParquetReader<Group> reader = new GroupReader(new LocalInputFile(file)).build()) {
            Group group = reader.read();
            if (group == null) {
                throw new IOException(file + " holds no rows");
            }
            List<Type> fields = group.getType().getFields();
            rows.header(fields.stream().map(Type::getName).toList());
            for (long row = 1; group != null && !rows.full(); row++, group = reader.read()) {
                Group g = group;
                rows.add(column -> parquetCell(g, column), "row " + row);
            }
        } catch (ParquetDecodingException | IllegalArgumentException | IllegalStateException e) {
            throw new IOException(file + ": not a Parquet file this reader can decode: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // The reader reports a file that is not Parquet at all (no magic bytes) this way.
            throw new IOException(file + ": not a Parquet file: " + e.getMessage(), e);
        }
    }

    /** A cell as text, as a CSV file would hold it: numbers in decimal, booleans as 1 or 0, missing as "". */
    private static String parquetCell(Group group, String column) {
        int index = group.getType().getFieldIndex(column);
        Type type = group.getType().getType(index);
        if (!type.isPrimitive()) {
            throw new IllegalArgumentException("column " + column + " is nested (" + type + "); a dataset column holds one value");
        }
        if (group.getFieldRepetitionCount(index) == 0) {
            return "";
        }
        PrimitiveType primitive = type.asPrimitiveType();
        if (primitive.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation decimal) {
            BigInteger unscaled = switch (primitive.getPrimitiveTypeName()) {
                case INT32 -> BigInteger.valueOf(group.getInteger(index, 0));
                case INT64 -> BigInteger.valueOf(group.getLong(index, 0));
                default -> new BigInteger(group.getBinary(index, 0).getBytes());
            };
            return new BigDecimal(unscaled, decimal.getScale()).toString();
        }
        return switch (primitive.getPrimitiveTypeName()) {
            case BOOLEAN -> group.getBoolean(index, 0) ? "1" : "0";
            case INT32, INT64, FLOAT, DOUBLE -> group.getValueToString(index, 0);
            case BINARY, FIXED_LEN_BYTE_ARRAY -> group.getBinary(index, 0).toStringUsingUTF8();
            case INT96 -> throw new IllegalArgumentException("column " + column + " is an INT96 timestamp, not a number");
        };
    }

    private static final class GroupReader extends ParquetReader.Builder<Group> {
        GroupReader(InputFile file) {
            super(file, new PlainParquetConfiguration());
        }

        @Override
        protected ReadSupport<Group> getReadSupport() {
            return new GroupReadSupport();
        }
    }

    /** One record's cells by column name. */
    private interface Cells {
        String get(String column);
    }

    /** The rows read so far, checked against the columns the spec names. */
    private static final class Rows {
        private final Path file;
        private final int wanted;
        private final int n;
        private final EvaluationData.Columns columns;
        private final List<float[]> rows = new ArrayList<>();
        private final List<Integer> labels = new ArrayList<>();
        private List<String> names;

        Rows(Path file, int wanted, int n, EvaluationData.Columns columns) {
            this.file = file;
            this.wanted = wanted;
            this.n = n;
            this.columns = columns;
        }

        void header(List<String> header) throws IOException {
            if (!header.contains(columns.label())) {
                throw new IOException(file + " has no column " + columns.label() + " (rollout.analysis.labelColumn); its columns: "
                        + header);
            }
            names = columns.features().isEmpty() ? header.stream().filter(h -> !h.equals(columns.label())).toList()
                    : columns.features();
            for (String name : names) {
                if (!header.contains(name)) {
                    throw new IOException(file + " has no column " + name + " (model.input.features); its columns: " + header);
                }
            }
            if (names.size() != n) {
                throw new IOException(file + ": " + names.size() + " feature columns, and the model takes rows of " + n + " values");
            }
        }

        boolean full() {
            return rows.size() >= wanted;
        }

        void add(Cells cells, String where) throws IOException {
            float[] row = new float[n];
            for (int j = 0; j < n; j++) {
                String value = cells.get(names.get(j));
                try {
                    row[j] = Float.parseFloat(value);
                } catch (NumberFormatException e) {
                    throw new IOException(file + " " + where + ", column " + names.get(j) + ": \"" + value + "\" is not a number");
                }
                if (!Float.isFinite(row[j])) {
                    throw new IOException(file + " " + where + ", column " + names.get(j) + ": " + value + " is not a finite number");
                }
            }
            rows.add(row);
            labels.add(label(cells.get(columns.label()), where));
        }

        private int label(String value, String where) throws IOException {
            int named = columns.classes().indexOf(value);
            if (named >= 0) {
                return named;
            }
            try {
                int index = Integer.parseInt(value);
                if (index >= 0 && (columns.classes().isEmpty() || index < columns.classes().size())) {
                    return index;
                }
            } catch (NumberFormatException e) {
                // neither: said below
            }
            throw new IOException(file + " " + where + ": label \"" + value + "\" is neither a class index nor one of "
                    + "model.labels " + columns.classes());
        }

        LabelledImages labelled() {
            return new LabelledImages(rows.size(), 1, 1, n, rows.toArray(float[][]::new),
                    labels.stream().mapToInt(Integer::intValue).toArray());
        }
    }
}
