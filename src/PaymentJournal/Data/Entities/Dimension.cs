namespace PaymentJournal.Data;

public sealed class Dimension : Versioned
{
    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public string Code { get; set; } = "";
    public string DisplayName { get; set; } = "";
}

public sealed class DimensionValue : Versioned
{
    public Guid Id { get; set; }
    public Guid CompanyId { get; set; }
    public Guid DimensionId { get; set; }
    public string DimensionCode { get; set; } = "";
    public string Code { get; set; } = "";
    public string DisplayName { get; set; } = "";
}

/// <summary>A dimension on a payment line: one per dimension, keyed by the dimension's id (dimensionSetLines).</summary>
public sealed class PaymentDimension : Versioned
{
    public Guid CompanyId { get; set; }
    public Guid PaymentId { get; set; }
    public Guid DimensionId { get; set; }
    public Guid DimensionValueId { get; set; }
    // Dimensions and their values are create-and-read only, so their codes and names can be kept on the line.
    public string DimensionCode { get; set; } = "";
    public string DimensionName { get; set; } = "";
    public string ValueCode { get; set; } = "";
    public string ValueName { get; set; } = "";
}
